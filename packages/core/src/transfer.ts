import ivm from 'isolated-vm'
import { VMTransferError } from './errors.js'
import { findUncloneable } from './findUncloneable.js'

/** Deep-copies a host value for the VM, or throws a VMTransferError naming the offending path. */
export function copyForVm(value: unknown, where: string | (() => string)): unknown {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function' && typeof value !== 'symbol')) return value
  try {
    return new ivm.ExternalCopy(value).copyInto({ release: true })
  } catch (cause) {
    throw transferErrorFor(value, typeof where === 'string' ? where : where(), cause)
  }
}

/** Copies each argument for the VM; primitives pass as they are. */
export function copyArgsForVm(args: readonly unknown[], name: string): unknown[] {
  const copied = new Array<unknown>(args.length)
  for (let index = 0; index < args.length; index++) copied[index] = copyForVm(args[index], () => `${name} args[${index}]`)
  return copied
}

export function transferErrorFor(value: unknown, where: string, cause: unknown): VMTransferError {
  const found = findUncloneable(value, where)
  const detail = found?.what ?? (cause instanceof Error ? cause.message : String(cause))
  return new VMTransferError(found?.path ?? where, detail, { cause })
}

/** Splits nested functions out of a value: returns the value with them nulled and their paths. */
export function extractFunctions(value: unknown): { data: unknown; functions: Array<[string[], (...args: unknown[]) => unknown]> } {
  const functions: Array<[string[], (...args: unknown[]) => unknown]> = []
  const seen = new Map<object, unknown>()
  const walk = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'function') {
      functions.push([path, node as (...args: unknown[]) => unknown])
      return null
    }
    if (node === null || typeof node !== 'object') return node
    const proto = Object.getPrototypeOf(node)
    const plain = Array.isArray(node) || proto === Object.prototype || proto === null
    if (!plain) return node
    if (seen.has(node)) return seen.get(node)
    const copy: Record<string, unknown> | unknown[] = Array.isArray(node) ? [] : {}
    seen.set(node, copy)
    for (const key of Object.keys(node)) {
      ;(copy as Record<string, unknown>)[key] = walk((node as Record<string, unknown>)[key], [...path, key])
    }
    return copy
  }
  const data = walk(value, [])
  return { data, functions }
}
