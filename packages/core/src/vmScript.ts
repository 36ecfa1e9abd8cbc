const kVMScript = Symbol.for('vm-machine.vm-script')

/** Trusted VM code that core compiles and runs only when VM code first asks for it; see `vmScript()`. */
export interface VMScript {
  readonly [kVMScript]: true
  readonly code: string
  readonly filename: string
}

/**
 * A value for `getReferences()`: the VM global (or nested member) becomes a function that, on its
 * first call, compiles `code` with V8's code cache (shared by every VM of the process), runs it
 * and returns its completion value; later calls return the same value. Use it for large embedded
 * sources that most VMs never need, so that they cost nothing at start-up.
 */
export function vmScript(code: string, filename: string): VMScript {
  if (typeof code !== 'string') throw new TypeError(`vmScript() needs code as a string, got ${typeof code}`)
  if (typeof filename !== 'string' || filename === '') throw new TypeError('vmScript() needs a file name for stack traces')
  return Object.freeze({ [kVMScript]: true as const, code, filename })
}

export function isVMScript(value: unknown): value is VMScript {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kVMScript] === true
}
