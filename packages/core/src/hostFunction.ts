/**
 * How a host function behaves when VM code calls it.
 * - `sync`: the VM waits for the return value; a returned promise reaches the VM as a promise.
 * - `async`: the VM gets a promise at once and keeps running; cheapest for awaited host work.
 * - `blocking`: the VM waits, even for a returned promise. Only while the VM runs through
 *   `run`, `call` or a timer, never in library code at `initialize()`.
 * - `ignored`: fire-and-forget; the VM gets `undefined`, host errors go to `onError`.
 */
export type HostFunctionMode = 'sync' | 'async' | 'blocking' | 'ignored'

const kHostFunction = Symbol.for('vm-machine.host-function')

// biome-ignore lint: host functions take and return anything copyable.
export type AnyFunction = (...args: any[]) => unknown

export interface HostFunction<F extends AnyFunction = AnyFunction> {
  readonly [kHostFunction]: true
  readonly fn: F
  readonly mode: HostFunctionMode
}

const modes: readonly HostFunctionMode[] = ['sync', 'async', 'blocking', 'ignored']

/** Wraps a host function for `getReferences()` with an explicit calling mode. */
export function hostFunction<F extends AnyFunction>(fn: F, mode: HostFunctionMode): HostFunction<F> {
  if (typeof fn !== 'function') throw new TypeError(`hostFunction() needs a function, got ${typeof fn}`)
  if (!modes.includes(mode)) throw new TypeError(`hostFunction() mode must be one of ${modes.join(', ')}, got ${String(mode)}`)
  return Object.freeze({ [kHostFunction]: true as const, fn, mode })
}

export function isHostFunction(value: unknown): value is HostFunction {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kHostFunction] === true
}

/** Plain functions: `async function`s are `async`, everything else `sync`. */
export function toHostFunction(value: AnyFunction | HostFunction): HostFunction {
  if (isHostFunction(value)) return value
  return hostFunction(value, value.constructor?.name === 'AsyncFunction' ? 'async' : 'sync')
}
