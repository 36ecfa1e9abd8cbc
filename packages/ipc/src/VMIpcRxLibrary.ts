import { type AnyFunction, VMLibrary, type VMHostCallableSource, type VMReferences, hostFunction, markHostCallableSource } from '@vm-machine/core'

export type VMIpcCallables = Record<string, AnyFunction>

/**
 * VM calls host: each callable becomes a VM global async function. Arguments and results are
 * copied; a host throw rejects the VM's promise with the same name, message and code.
 */
export class VMIpcRxLibrary extends VMLibrary implements VMHostCallableSource {
  readonly #callables: VMIpcCallables

  constructor(callables: VMIpcCallables = {}) {
    super()
    if (typeof callables !== 'object' || callables === null || Array.isArray(callables)) {
      throw new TypeError('VMIpcRxLibrary expects an object of { name: function }')
    }
    for (const [name, fn] of Object.entries(callables)) {
      if (typeof fn !== 'function') throw new TypeError(`VMIpcRxLibrary: callable '${name}' is not a function (got ${typeof fn})`)
    }
    this.#callables = { ...callables }
    markHostCallableSource(this)
  }

  /** Names of the host functions this library gives the VM. */
  getCallableNames(): string[] {
    return Object.keys(this.#callables)
  }

  /** Calls one of this library's host functions directly, as the VM would. */
  async callHost(name: string, args: readonly unknown[] = []): Promise<unknown> {
    const fn = this.#callables[name]
    if (!fn) throw new TypeError(`VMIpcRxLibrary has no callable '${name}'. Available: ${this.getCallableNames().join(', ') || '(none)'}`)
    return fn(...args)
  }

  override getReferences(): VMReferences {
    const references: VMReferences = {}
    for (const [name, fn] of Object.entries(this.#callables)) references[name] = hostFunction(fn, 'async')
    return references
  }
}
