/**
 * Finds the first value under `value` that structured clone refuses, as a path like
 * `result.items[3]`, or `undefined`. It runs on the host and, via `toString()`, inside the VM,
 * so it must stay self-contained: no imports, no helpers, no closures.
 */
export function findUncloneable(value: unknown, path: string): { path: string; what: string } | undefined {
  const seen = new Set<object>()
  const stack: Array<[unknown, string]> = [[value, path]]
  const plainKey = /^[A-Za-z_$][\w$]*$/
  while (stack.length > 0) {
    const [current, at] = stack.pop() as [unknown, string]
    const type = typeof current
    if (type === 'function') return { path: at, what: 'a function' }
    if (type === 'symbol') return { path: at, what: 'a symbol' }
    if (current === null || type !== 'object') continue
    const object = current as object
    if (seen.has(object)) continue
    seen.add(object)
    const tag = Object.prototype.toString.call(object)
    if (/^\[object (Promise|WeakMap|WeakSet|WeakRef|Generator|AsyncGenerator)\]$/.test(tag)) {
      return { path: at, what: `a ${tag.slice(8, -1)}` }
    }
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer || object instanceof Date || object instanceof RegExp) continue
    if (object instanceof Map) {
      let index = 0
      for (const [key, entry] of object) {
        stack.push([key, `${at}.<key ${index}>`], [entry, `${at}.get(${index})`])
        index++
      }
      continue
    }
    if (object instanceof Set) {
      let index = 0
      for (const entry of object) stack.push([entry, `${at}.<entry ${index++}>`])
      continue
    }
    const keys = Object.keys(object)
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string
      let child: unknown
      try {
        child = (object as Record<string, unknown>)[key]
      } catch {
        return { path: Array.isArray(object) ? `${at}[${key}]` : `${at}.${key}`, what: 'a getter that throws' }
      }
      const childPath = Array.isArray(object) && /^\d+$/.test(key) ? `${at}[${key}]` : plainKey.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`
      stack.push([child, childPath])
    }
  }
  return undefined
}
