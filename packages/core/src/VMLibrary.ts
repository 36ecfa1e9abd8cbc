import type { AnyFunction, HostFunction } from './hostFunction.js'
import type { VM } from './VM.js'

export const kLibrary = Symbol.for('vm-machine.library')
export const kOwner = Symbol.for('vm-machine.library.owner')

/**
 * What `getReferences()` returns: each key becomes a VM global. Functions become host calls
 * (see `hostFunction` for modes); other values are deep-copied once, nested functions included.
 */
export type VMReferences = Record<string, AnyFunction | HostFunction | unknown>

/**
 * The library contract. Subclass it and override what you need; every hook may be async.
 * Order at `initialize()`: `attach` for all, then `getReferences`/`getVmCode` for all, VM code
 * evaluated in order, then every `start`, then every `afterStart`. `dispose` runs in reverse.
 */
export abstract class VMLibrary {
  declare readonly [kLibrary]: true
  declare [kOwner]: VM | undefined

  /** Name used in error messages; defaults to the class name. */
  get name(): string {
    return this.constructor.name
  }

  /** The VM this library is attached to (set before `attach` is called). */
  get vm(): VM {
    const vm = this[kOwner]
    if (!vm) throw new TypeError(`${this.name} is not attached to a VM yet`)
    return vm
  }

  /** Reports an error to the VM's `onError`. Safe to call before attachment (then it warns). */
  onError?: (error: Error) => void = (error: Error) => {
    const vm = this[kOwner]
    if (vm) vm.reportError(error)
    else process.emitWarning(error instanceof Error ? error : new Error(String(error)), { code: 'VM_ERR_UNATTACHED_LIBRARY' })
  }

  /** Keep `vm` and provide capabilities here. No isolate work yet. */
  attach(_vm: VM): void | Promise<void> {}
  /** Host values and functions to expose as VM globals. Called once, after every `attach`. */
  getReferences(): VMReferences {
    return {}
  }
  /** JavaScript evaluated in the VM after all references are installed. */
  getVmCode(): string {
    return ''
  }
  /**
   * Every library's VM code has run; look up capabilities, take `getVmFunction` handles, start
   * timers. Entering the VM (`run`, `call`, calling a VM function) waits until `initialize()` has
   * resolved: here it rejects with VMNotInitializedError.
   */
  start(): void | Promise<void> {}
  /** Every library has started (the VM is still initializing, as in `start`). */
  afterStart(): void | Promise<void> {}
  /** Free host resources. Idempotent; should not throw (errors are reported, never rethrown). */
  dispose(): void | Promise<void> {}
}
Object.defineProperty(VMLibrary.prototype, kLibrary, { value: true })

export function isVMLibrary(value: unknown): value is VMLibrary {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kLibrary] === true
}
