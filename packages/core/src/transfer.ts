import ivm from 'isolated-vm'
import { VMTransferError } from './errors.js'
import { findUncloneable } from './findUncloneable.js'
import { type VMScript, isVMScript } from './vmScript.js'

/** Whether isolated-vm carries `value` into the VM as it is: a primitive other than a symbol. */
export function passesAsIs(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')
}

/** Deep-copies a host value for the VM, or throws a VMTransferError naming the offending path. */
export function copyForVm(value: unknown, where: string | (() => string)): unknown {
  if (passesAsIs(value)) return value
  try {
    return new ivm.ExternalCopy(compactViews(value)).copyInto({ release: true })
  } catch (cause) {
    throw transferErrorFor(value, typeof where === 'string' ? where : where(), cause)
  }
}

/**
 * Copies each argument for the VM into a new array, after `prefix` (values core sends along, as
 * they are); primitives pass as they are.
 */
export function copyArgsForVm(args: readonly unknown[], name: string, prefix: readonly unknown[] = []): unknown[] {
  const copied = prefix.slice()
  for (let index = 0; index < args.length; index++) {
    const value = args[index]
    copied.push(passesAsIs(value) ? value : copyForVm(value, `${name} args[${index}]`))
  }
  return copied
}

export function transferErrorFor(value: unknown, where: string, cause: unknown): VMTransferError {
  const found = findUncloneable(value, where)
  const detail = found?.what ?? (cause instanceof Error ? cause.message : String(cause))
  return new VMTransferError(found?.path ?? where, detail, { cause })
}

/** Splits nested functions (and vmScript values) out of a value: returns the value with them nulled and their paths. */
export function extractFunctions(value: unknown): { data: unknown; functions: Array<[string[], ((...args: unknown[]) => unknown) | VMScript]> } {
  const functions: Array<[string[], ((...args: unknown[]) => unknown) | VMScript]> = []
  const seen = new Map<object, unknown>()
  const walk = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'function' || isVMScript(node)) {
      functions.push([path, node as ((...args: unknown[]) => unknown) | VMScript])
      return null
    }
    if (node === null || typeof node !== 'object') return node
    const proto = Object.getPrototypeOf(node)
    const plain = Array.isArray(node) || proto === Object.prototype || proto === null
    if (!plain) return node
    if (seen.has(node)) return seen.get(node)
    const copy: Record<string, unknown> | unknown[] = Array.isArray(node) ? [] : {}
    seen.set(node, copy)
    for (const key of Object.keys(node)) setOwn(copy, key, walk((node as Record<string, unknown>)[key], [...path, key]))
    return copy
  }
  const data = walk(value, [])
  return { data, functions }
}

/**
 * A copy of a typed array or DataView takes its whole ArrayBuffer along: a host Buffer from Node's
 * 8 KB pool would show the VM whatever else the pool holds. Returns `value` itself when no view
 * shares a larger buffer, else a copy of the containers with such views replaced by exact copies.
 */
export function compactViews(value: unknown): unknown {
  return sharesBuffer(value, false) ? compactViewsDeep(value, false) : value
}

/**
 * A value that came from the VM, with every SharedArrayBuffer in it, and every view over one,
 * replaced by a copy: isolated-vm hands the host the VM's shared memory itself, which VM code could
 * keep changing after the host checked the value (or pass on to another VM through the host).
 */
export function fromVm<T>(value: T): T {
  return value !== null && typeof value === 'object' && sharesBuffer(value, true) ? (compactViewsDeep(value, true) as T) : value
}

/** fromVm for the arguments of a host function (the array itself when none is an object). */
export function argsFromVm(args: unknown[]): unknown[] {
  for (let index = 0; index < args.length; index++) {
    const value = args[index]
    if (value !== null && typeof value === 'object') return args.map(fromVm)
  }
  return args
}

/**
 * Fast scan: is there any view over a larger buffer, or any shared memory, under `value` (the
 * copy-free common case)? With `sharedOnly`, only shared memory counts.
 * Every node is looked up in `seen` once per visit, but only containers worth remembering are
 * added: those with containers inside (a cycle needs one) and those with more than
 * SMALL_LEAF entries. A small leaf such as an array of two strings is looked at again when a
 * second reference reaches it, which costs less than remembering every one on typical data.
 */
function sharesBuffer(value: unknown, sharedOnly: boolean): boolean {
  if (value === null || typeof value !== 'object') return false
  const seen = new Set<object>()
  const stack: object[] = [value]
  while (stack.length > 0) {
    const node = stack.pop() as object
    if (ArrayBuffer.isView(node)) {
      if (node.buffer instanceof SharedArrayBuffer) return true
      if (!sharedOnly && (node.byteOffset !== 0 || node.byteLength !== node.buffer.byteLength)) return true
      continue
    }
    if (seen.has(node)) continue
    const base = stack.length
    let size: number
    if (Array.isArray(node)) {
      size = node.length
      for (let i = 0; i < size; i++) {
        const item = node[i]
        if (item !== null && typeof item === 'object') stack.push(item)
      }
    } else if (node instanceof Map) {
      size = node.size
      for (const [key, item] of node) {
        if (key !== null && typeof key === 'object') stack.push(key)
        if (item !== null && typeof item === 'object') stack.push(item)
      }
    } else if (node instanceof Set) {
      size = node.size
      for (const item of node) if (item !== null && typeof item === 'object') stack.push(item)
    } else {
      const proto = Object.getPrototypeOf(node)
      if (proto !== Object.prototype && proto !== null) {
        if (node instanceof SharedArrayBuffer) return true
        continue
      }
      size = 0
      for (const key in node) {
        size++
        const item = (node as Record<string, unknown>)[key]
        if (item !== null && typeof item === 'object') stack.push(item)
      }
    }
    if (stack.length !== base || size > SMALL_LEAF) seen.add(node)
  }
  return false
}
const SMALL_LEAF = 8

function compactViewsDeep(value: unknown, sharedOnly: boolean, seen?: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object') return value
  if (value instanceof SharedArrayBuffer) return new Uint8Array(value).slice().buffer
  if (ArrayBuffer.isView(value)) {
    const shared = value.buffer instanceof SharedArrayBuffer
    if (!shared && (sharedOnly || (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength))) return value
    // A typed array's slice() is backed by a new, unshared ArrayBuffer.
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice()
    if (value instanceof DataView) return new DataView(bytes.buffer)
    const Ctor = Buffer.isBuffer(value) ? Uint8Array : (value.constructor as new (buffer: ArrayBuffer) => ArrayBufferView)
    return new Ctor(bytes.buffer)
  }
  const isArray = Array.isArray(value)
  const isMap = !isArray && value instanceof Map
  const isSet = !isArray && !isMap && value instanceof Set
  if (!isArray && !isMap && !isSet) {
    const proto = Object.getPrototypeOf(value)
    if (proto !== Object.prototype && proto !== null) return value
  }
  seen ??= new Map()
  if (seen.has(value)) return seen.get(value)
  seen.set(value, value)
  let copy: unknown = value
  const replace = (make: () => unknown) => {
    if (copy === value) {
      copy = make()
      seen.set(value, copy)
    }
  }
  if (isMap) {
    const entries = [...(value as Map<unknown, unknown>)]
    const next = entries.map(([k, v]) => [compactViewsDeep(k, sharedOnly, seen), compactViewsDeep(v, sharedOnly, seen)] as const)
    if (next.some(([k, v], i) => k !== entries[i]?.[0] || v !== entries[i]?.[1])) replace(() => new Map(next))
  } else if (isSet) {
    const items = [...(value as Set<unknown>)]
    const next = items.map((item) => compactViewsDeep(item, sharedOnly, seen))
    if (next.some((item, i) => item !== items[i])) replace(() => new Set(next))
  } else {
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key]
      const next = compactViewsDeep(item, sharedOnly, seen)
      if (next === item) continue
      replace(() => (isArray ? [...(value as unknown[])] : { ...value }))
      setOwn(copy as object, key, next)
    }
  }
  return copy
}

/** `object[key] = value`, except that an own `__proto__` key stays an own property (assigning it would set the prototype). */
function setOwn(object: object, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true })
  else (object as Record<string, unknown>)[key] = value
}
