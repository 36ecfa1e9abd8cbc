import { type AnyFunction, VMLibrary, type VMHostCallableSource, type VMReferences, hostFunction, markHostCallableSource } from '@vm-machine/core'

export type VMIpcCallables = Record<string, AnyFunction>

export interface VMIpcRxLibraryOptions {
  /**
   * `'async'`: the VM gets a promise at once and keeps running while the host works (calls run
   * concurrently, timers fire meanwhile). `'blocking'`: the VM's thread waits for the host's
   * answer (isolated-vm's applySyncPromise) — lower latency per call, but the VM does nothing else
   * meanwhile and concurrent calls run one after another. Either way VM code gets a promise.
   * @default 'async'
   */
  mode?: 'async' | 'blocking'
}

/**
 * VM calls host: each callable becomes a VM global async function. Arguments and results are
 * copied; a host throw rejects the VM's promise with the same name, message and code.
 */
export class VMIpcRxLibrary extends VMLibrary implements VMHostCallableSource {
  readonly #callables: VMIpcCallables
  readonly mode: 'async' | 'blocking'

  constructor(callables: VMIpcCallables = {}, options: VMIpcRxLibraryOptions = {}) {
    super()
    if (typeof options !== 'object' || options === null) throw new TypeError(`new VMIpcRxLibrary(callables, options): options must be an object; got ${options === null ? 'null' : typeof options}`)
    const { mode = 'async' } = options
    if (mode !== 'async' && mode !== 'blocking') throw new TypeError(`VMIpcRxLibrary mode must be 'async' or 'blocking'; got ${String(mode)}`)
    this.mode = mode
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
    for (const [name, fn] of Object.entries(this.#callables)) references[name] = hostFunction(fn, this.mode)
    return references
  }

  override getVmCode(): string {
    if (this.mode === 'async') return ''
    // A blocking call returns the value itself; hand VM code a promise, as in async mode.
    return `(function () {
      const names = ${JSON.stringify(this.getCallableNames())}
      for (const name of names) {
        const call = globalThis[name]
        globalThis[name] = { [name](...args) { try { return Promise.resolve(call(...args)) } catch (error) { return Promise.reject(error) } } }[name]
      }
    })()`
  }
}
