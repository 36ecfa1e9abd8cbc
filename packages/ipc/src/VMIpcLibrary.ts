import { VMInvalidArgumentError, VMLibrary, VMNotInitializedError, type VM, type VMCallTarget } from '@vm-machine/core'

export interface VMIpcLibraryOptions {
  /** ms a `callIpc` may take before it rejects with VMCallTimeoutError; 0 disables. @default 30000 */
  timeout?: number
}

/**
 * Host calls VM: `callIpc(name, args)` calls a VM callable (from run()'s returned object, the
 * entry module's exports, or exposeCallables). After a timeout the VM function cannot be
 * cancelled: it runs on and its late result is dropped.
 */
export class VMIpcLibrary extends VMLibrary implements VMCallTarget {
  readonly timeout: number
  #vm: VM | undefined

  constructor(options: VMIpcLibraryOptions = {}) {
    super()
    if (typeof options !== 'object' || options === null) throw new VMInvalidArgumentError(`new VMIpcLibrary(options): options must be an object; got ${options === null ? 'null' : typeof options}`)
    const { timeout = 30_000 } = options
    if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) {
      throw new VMInvalidArgumentError(`VMIpcLibrary timeout must be a number of ms >= 0; got ${String(timeout)}`)
    }
    this.timeout = timeout
  }

  override attach(vm: VM): void {
    this.#vm = vm
  }

  /** Calls the VM callable `name` with copies of `args`; resolves with a copy of its result. */
  callIpc(name: string, args: readonly unknown[] = []): Promise<unknown> {
    const vm = this.#vm
    if (!vm) return Promise.reject(new VMNotInitializedError(`callIpc('${String(name)}')`))
    return vm.call(name, args, { timeout: this.timeout })
  }
}

/** The reference's other name for VMIpcLibrary: the host transmits calls to the VM. */
export const VMIpcTxLibrary = VMIpcLibrary
export type VMIpcTxLibrary = VMIpcLibrary
