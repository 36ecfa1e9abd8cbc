/** Base class of every error vm-machine raises on the host. `code` is stable; messages are not. */
export class VMError extends Error {
  readonly code: string = 'VM_ERR'
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = new.target.name
  }
}

export class VMNotInitializedError extends VMError {
  override readonly code = 'VM_ERR_NOT_INITIALIZED'
  constructor(action: string) {
    super(`Cannot ${action} before initialize(). Call and await vm.initialize() first.`)
  }
}

export class VMStateError extends VMError {
  override readonly code = 'VM_ERR_STATE'
}

export class VMDisposedError extends VMError {
  override readonly code = 'VM_ERR_DISPOSED'
  constructor(action = 'use the VM', options?: ErrorOptions) {
    super(`Cannot ${action}: the VM is disposed. Create a new VM.`, options)
  }
}

/** The VM ran longer than the VM's `timeout` option in one entry; the VM is disposed. */
export class VMTimeoutError extends VMError {
  override readonly code = 'VM_ERR_TIMEOUT'
  constructor(readonly timeout: number, options?: ErrorOptions) {
    super(`VM code ran longer than the timeout of ${timeout} ms and was stopped; the VM is disposed.`, options)
  }
}

/** A host-side call into the VM (callIpc) did not settle in time. The VM keeps running. */
export class VMCallTimeoutError extends VMError {
  override readonly code = 'VM_ERR_CALL_TIMEOUT'
  constructor(readonly callable: string, readonly timeout: number) {
    super(`Call to '${callable}' did not settle within ${timeout} ms. Its late result is dropped; raise the timeout or make the VM function faster.`)
  }
}

export class VMMemoryLimitError extends VMError {
  override readonly code = 'VM_ERR_MEMORY_LIMIT'
  constructor(readonly memoryLimit: number, options?: ErrorOptions) {
    super(`VM exceeded its memory limit of ${memoryLimit} MB and was disposed. Raise memoryLimit or use less memory.`, options)
  }
}

/** The isolate died for a reason other than the memory limit, or a watchdog stopped it. */
export class VMIsolateError extends VMError {
  override readonly code = 'VM_ERR_ISOLATE'
}

/** The VM did not answer a liveness check in time (measure's responseTimeLimit, threads' watchdog); it was panic-stopped. */
export class VMUnresponsiveError extends VMError {
  override readonly code = 'VM_ERR_UNRESPONSIVE'
  constructor(readonly limit: number, options?: ErrorOptions) {
    super(`The VM did not respond within ${limit} ms and was panic-stopped (disposed). Avoid long synchronous work or raise the limit.`, options)
  }
}

/** What the VM threw, with the VM's own name, stack and code. */
export class VMScriptError extends VMError {
  override readonly code: string = 'VM_ERR_SCRIPT'
  /** `name` of the error inside the VM, e.g. `TypeError`. */
  readonly vmName: string
  /** Stack trace inside the VM (virtual file names and lines). */
  readonly vmStack: string | undefined
  /** `code` property of the error inside the VM, if it had a string one. */
  readonly vmCode: string | undefined
  /** The thrown value when the VM threw something that is not an Error. */
  readonly thrown: unknown
  constructor(info: { name?: string; message: string; stack?: string; code?: string; thrown?: unknown }, options?: ErrorOptions) {
    super(info.message, options)
    this.vmName = info.name ?? 'Error'
    this.vmStack = info.stack
    this.vmCode = info.code
    this.thrown = info.thrown
    if (info.stack) this.stack = `${this.name} [${this.vmName}]: ${info.message}\n${stackFrames(info.stack)}`
  }
}

/** VM code called `process.exit()` (the sandbox `process` of @vm-machine/codebase); only that code stops, the VM keeps running. */
export class VMProcessExitError extends VMScriptError {
  override readonly code = 'VM_ERR_PROCESS_EXIT'
  /** The code passed to `process.exit()` (or `process.exitCode`), 0 when none. */
  readonly exitCode: number
  constructor(info: { name?: string; message: string; stack?: string; code?: string; exitCode?: number }, options?: ErrorOptions) {
    super(info, options)
    this.exitCode = typeof info.exitCode === 'number' ? info.exitCode : 0
  }
}

/** A promise in the VM rejected with no handler; reported to `onError`. */
export class VMUnhandledRejectionError extends VMScriptError {
  override readonly code = 'VM_ERR_UNHANDLED_REJECTION'
}

/** A value cannot be copied across the host↔VM boundary. `path` names it, e.g. `result.items[3]`. */
export class VMTransferError extends VMError {
  override readonly code = 'VM_ERR_TRANSFER'
  constructor(readonly path: string, detail: string, options?: ErrorOptions) {
    super(`${path} cannot be copied between host and VM (${detail}). Pass data (objects, arrays, primitives, Dates, typed arrays, Maps, Sets), not functions, symbols or live objects.`, options)
  }
}

export class VMLimitExceededError extends VMError {
  override readonly code = 'VM_ERR_LIMIT_EXCEEDED'
  constructor(readonly limit: string, readonly value: number, options?: ErrorOptions) {
    super(`${limit} (${value}) reached. Free what the VM no longer needs or raise ${limit}.`, options)
  }
}

export class VMUnknownCallableError extends VMError {
  override readonly code = 'VM_ERR_UNKNOWN_CALLABLE'
  constructor(readonly callable: string, readonly available: readonly string[]) {
    super(`The VM has no callable '${callable}'. Available: ${available.length ? available.join(', ') : '(none: return an object of functions from run() or call exposeCallables())'}.`)
  }
}

export class VMInvalidArgumentError extends VMError {
  override readonly code = 'VM_ERR_INVALID_ARGUMENT'
}

export class VMLibraryConflictError extends VMError {
  override readonly code = 'VM_ERR_LIBRARY_CONFLICT'
}

export class VMCapabilityMissingError extends VMError {
  override readonly code = 'VM_ERR_CAPABILITY_MISSING'
  constructor(readonly capability: string) {
    super(`No library in this VM provides '${capability}'. Add the library that provides it to new VM([...]).`)
  }
}

export class VMAbortedError extends VMError {
  override readonly code = 'VM_ERR_ABORTED'
  constructor(options?: ErrorOptions) {
    super('The operation was aborted. Code already running in the VM is not interrupted; use the timeout option or dispose() to stop it.', options)
  }
}

function stackFrames(stack: string): string {
  const lines = stack.split('\n')
  const first = lines.findIndex((line) => /^\s+at /.test(line))
  return first === -1 ? '' : lines.slice(first).join('\n')
}

const handledCodes = new Set(['VM_ERR_DISPOSED', 'VM_ERR_TIMEOUT', 'VM_ERR_MEMORY_LIMIT', 'VM_ERR_ISOLATE', 'VM_ERR_UNRESPONSIVE', 'VM_ERR_UNHANDLED_REJECTION'])

/**
 * True for errors the VM has already reported (to `onError` or `onCatastrophicError`) or that
 * only say the VM is gone. A library that gets an error from a VM call reports the others.
 */
export function isHandledByVM(error: unknown): boolean {
  return error instanceof VMError && handledCodes.has(error.code)
}
