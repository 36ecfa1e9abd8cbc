import { VMLibrary, isVMLibrary } from './VMLibrary.js'

const kGroup = Symbol.for('vm-machine.library-group')

/** A library made of libraries. The VM flattens it depth-first: the group first, then its children. */
export class VMLibraryGroup extends VMLibrary {
  declare readonly [kGroup]: true
  readonly #libraries: VMLibrary[]

  constructor(libraries: VMLibrary[] = []) {
    super()
    if (!Array.isArray(libraries)) throw new TypeError('VMLibraryGroup expects an array of libraries')
    this.#libraries = [...libraries]
  }

  /** The children; override to compute them (called once, at `initialize()`). */
  getLibraries(): VMLibrary[] {
    return this.#libraries
  }
}
Object.defineProperty(VMLibraryGroup.prototype, kGroup, { value: true })

export function isVMLibraryGroup(value: unknown): value is VMLibraryGroup {
  return isVMLibrary(value) && (value as unknown as Record<symbol, unknown>)[kGroup] === true
}

