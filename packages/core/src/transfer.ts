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
  return sharesBuffer(value, true) ? (compactViewsDeep(value, true) as T) : value
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
 * copy-free common case)? With `sharedOnly` (values from the VM), only shared memory counts. It
 * walks what structured clone walks: array elements (and, with `sharedOnly`, an array's other own
 * enumerable properties), Map and Set entries, own enumerable properties of objects of any class
 * (they travel as plain objects), an Error's `cause`. Every node is looked up in `seen` once per
 * visit, but only containers worth remembering are added: those with containers inside (a cycle
 * needs one) and those with more than SMALL_LEAF entries. A small leaf such as an array of two strings is looked at again when a
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
      if (size > DENSE_SCAN) {
        // A long array may be sparse (length 2^32 - 1 with one element costs nothing to copy): its
        // keys, named properties among them, bound the walk, not its length.
        for (const key of Object.keys(node)) {
          const item = (node as unknown as Record<string, unknown>)[key]
          if (item !== null && typeof item === 'object') stack.push(item)
        }
      } else {
        for (let i = 0; i < size; i++) {
          const item = node[i]
          if (item !== null && typeof item === 'object') stack.push(item)
        }
        // Named properties (array.extra = …) travel too; Object.keys lists them after the indexes.
        // Looked for in values from the VM, whose code may hide shared memory anywhere; a host
        // value with a pooled Buffer under an array's named property is left as it is (listing the
        // keys of every array costs ~3% of a large round trip).
        if (sharedOnly) {
          const keys = Object.keys(node)
          const last = keys[keys.length - 1]
          if (last !== undefined && !isIndex(last)) pushNamed(node, keys, stack)
        }
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
      if (node instanceof SharedArrayBuffer || isSharedWasmMemory(node)) return true
      size = 0
      for (const key in node) {
        size++
        const item = (node as Record<string, unknown>)[key]
        if (item !== null && typeof item === 'object') stack.push(item)
      }
      if (node instanceof Error) {
        const cause = (node as { cause?: unknown }).cause
        if (cause !== null && typeof cause === 'object') stack.push(cause)
      }
    }
    if (stack.length !== base || size > SMALL_LEAF) seen.add(node)
  }
  return false
}
const SMALL_LEAF = 8
/** Arrays up to this length are walked by index; longer ones by their keys. */
const DENSE_SCAN = 100_000

/** The object values of an array's own enumerable properties that are not indexes. */
function pushNamed(array: unknown[], keys: string[], stack: object[]): void {
  for (const key of keys) {
    if (isIndex(key)) continue
    const item = (array as unknown as Record<string, unknown>)[key]
    if (item !== null && typeof item === 'object') stack.push(item)
  }
}

function isIndex(key: string): boolean {
  return String(Number(key) >>> 0) === key && key !== '4294967295'
}

// WebAssembly is a global of Node, not of the TypeScript libraries this package compiles against.
const WasmMemory = (globalThis as { WebAssembly?: { Memory: abstract new (...args: never[]) => { buffer: ArrayBufferLike } } }).WebAssembly?.Memory

/** A WebAssembly memory made with `shared: true` (its buffer is a SharedArrayBuffer). */
function isSharedWasmMemory(value: object): boolean {
  return WasmMemory !== undefined && value instanceof WasmMemory && value.buffer instanceof SharedArrayBuffer
}

/**
 * A copy of `value` in which every view over a larger buffer (unless `sharedOnly`) and every piece
 * of shared memory is replaced by an exact, unshared copy. Runs only after sharesBuffer found one,
 * so it copies every container it walks (registered before its contents, so cycles point at the
 * copies). A shared WebAssembly memory cannot be copied: it throws.
 */
function compactViewsDeep(value: unknown, sharedOnly: boolean, seen: Map<object, unknown> = new Map()): unknown {
  if (value === null || typeof value !== 'object') return value
  if (seen.has(value)) return seen.get(value)
  if (value instanceof SharedArrayBuffer) return remember(seen, value, new Uint8Array(value).slice().buffer)
  if (ArrayBuffer.isView(value)) {
    const shared = value.buffer instanceof SharedArrayBuffer
    if (!shared && (sharedOnly || (value.byteOffset === 0 && value.byteLength === value.buffer.byteLength))) return value
    // A typed array's slice() is backed by a new, unshared ArrayBuffer.
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice()
    if (value instanceof DataView) return remember(seen, value, new DataView(bytes.buffer))
    const Ctor = Buffer.isBuffer(value) ? Uint8Array : (value.constructor as new (buffer: ArrayBuffer) => ArrayBufferView)
    return remember(seen, value, new Ctor(bytes.buffer))
  }
  if (isSharedWasmMemory(value)) throw new TypeError('A shared WebAssembly.Memory could not be cloned.')
  if (value instanceof Date || value instanceof RegExp || value instanceof ArrayBuffer || (WasmMemory !== undefined && value instanceof WasmMemory)) return value
  const deep = (item: unknown) => compactViewsDeep(item, sharedOnly, seen)
  if (value instanceof Map) {
    const copy = remember(seen, value, new Map())
    for (const [key, item] of value) copy.set(deep(key), deep(item))
    return copy
  }
  if (value instanceof Set) {
    const copy = remember(seen, value, new Set())
    for (const item of value) copy.add(deep(item))
    return copy
  }
  if (Array.isArray(value)) {
    const copy = remember(seen, value, new Array<unknown>(value.length))
    for (const key of Object.keys(value)) setOwn(copy, key, deep((value as unknown as Record<string, unknown>)[key]))
    return copy
  }
  // Boxed primitives carry no objects; structured clone copies them as they are.
  if (value instanceof Number || value instanceof String || value instanceof Boolean || value instanceof BigInt || value instanceof Symbol) return value
  // A real Error (its internal slot makes it one for structured clone and util.types), with the
  // original's prototype; any other object keeps its prototype.
  const copy = remember(
    seen,
    value,
    (value instanceof Error ? Object.setPrototypeOf(new Error(), Object.getPrototypeOf(value)) : Object.create(Object.getPrototypeOf(value))) as Record<string, unknown>,
  )
  if (value instanceof Error) {
    // name, message and stack are own non-enumerable properties (or inherited), cause too.
    for (const key of ['message', 'stack', 'cause']) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key)
      if (descriptor) Object.defineProperty(copy, key, 'value' in descriptor ? { ...descriptor, value: deep(descriptor.value) } : descriptor)
    }
  }
  for (const key of Object.keys(value)) setOwn(copy, key, deep((value as Record<string, unknown>)[key]))
  return copy
}

function remember<T>(seen: Map<object, unknown>, original: object, copy: T): T {
  seen.set(original, copy)
  return copy
}

/** `object[key] = value`, except that an own `__proto__` key stays an own property (assigning it would set the prototype). */
function setOwn(object: object, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true })
  else (object as Record<string, unknown>)[key] = value
}
