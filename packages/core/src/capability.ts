/** A typed key under which one library offers an interface to others in the same VM. */
export interface Capability<T> {
  readonly key: string
  /** Type carrier only; never set. */
  readonly __type?: T
}

/**
 * Declares a capability. Tokens match by `key`, so two copies of core in one app still agree.
 * Providers call `vm.provide(token, impl)` in `attach`; consumers call `vm.need(token)` or
 * `vm.find(token)` in `start`.
 */
export function defineCapability<T>(key: string): Capability<T> {
  return Object.freeze({ key })
}

/** Lets `vm.run()` without code run an entry that a library supplies (e.g. codebase's entry file). */
export interface VMEntryProvider {
  /** Code to run as an async function body; its returned object's functions become callables. */
  getEntry(): { code: string; filename?: string } | undefined
}

export const VMEntry = defineCapability<VMEntryProvider>('vm-machine/entry')

/** What a codebase library offers other libraries (threads): files on its volume and new views of it. */
export interface VMCodebaseProvider {
  /** Resolves a file path on the volume ('/worker' → '/worker.js', index files too), or undefined. */
  resolveFile(specifier: string, from?: string): string | undefined
  /** A new library for another VM (a thread) over the same volume, limits and modules; runs `entryFile` on run(). */
  createLibrary(entryFile?: string): import('./VMLibrary.js').VMLibrary
}

export const VMCodebase = defineCapability<VMCodebaseProvider>('vm-machine/codebase')

const kHostCallables = Symbol.for('vm-machine.host-callables')

/** Host functions a library offers VM code by name (VMIpcRxLibrary); threads gather them into `host`. */
export interface VMHostCallableSource {
  getCallableNames(): string[]
  callHost(name: string, args: readonly unknown[]): Promise<unknown>
}

/** Marks a library as a VMHostCallableSource (by brand, so two copies of core agree). */
export function markHostCallableSource(library: VMHostCallableSource): void {
  Object.defineProperty(library, kHostCallables, { value: true })
}

export function isHostCallableSource(value: unknown): value is VMHostCallableSource {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kHostCallables] === true
}

/** Something the host can call VM callables through (VMIpcLibrary, a thread's `tx`). */
export interface VMCallTarget {
  callIpc(name: string, args?: readonly unknown[]): Promise<unknown>
}
