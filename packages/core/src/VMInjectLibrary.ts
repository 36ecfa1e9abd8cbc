import { VMLibrary, type VMReferences } from './VMLibrary.js'

/**
 * Injects values and host functions as VM globals. Values are deep-copied once at `initialize()`;
 * functions, top-level or nested, become synchronous host calls.
 */
export class VMInjectLibrary extends VMLibrary {
  readonly #injectables: Record<string, unknown>

  constructor(injectables: Record<string, unknown>) {
    super()
    if (typeof injectables !== 'object' || injectables === null || Array.isArray(injectables)) {
      throw new TypeError('VMInjectLibrary expects an object of { name: value }')
    }
    this.#injectables = { ...injectables }
  }

  override getReferences(): VMReferences {
    return this.#injectables
  }
}
