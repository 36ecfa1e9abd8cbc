import {
  VMDisposedError,
  VMError,
  VMIsolateError,
  VMMemoryLimitError,
  VMProcessExitError,
  VMScriptError,
  VMTimeoutError,
  VMTransferError,
  VMUnhandledRejectionError,
  VMUnknownCallableError,
} from './errors.js'

export interface ErrorInfo {
  name: string
  message: string
  stack?: string
  code?: string
  thrown?: unknown
  exitCode?: number
}

export type Envelope =
  | { t: 0; v: unknown }
  | { t: 1; e: ErrorInfo; transfer?: undefined; unknown?: undefined }
  | { t: 1; transfer: string; detail: string }
  | { t: 1; unknown: string; names: string[] }
  | { t: 2; id: number }

/** Host error → what the VM may see: name, message and code only, never host stack frames. */
export function hostErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof VMScriptError) {
    // Another VM's error (a thread's): its stack holds VM frames only, so it may travel on.
    const info: ErrorInfo = { name: error.vmName, message: error.message }
    if (error.vmStack) info.stack = error.vmStack
    if (error.vmCode) info.code = error.vmCode
    return info
  }
  if (error instanceof Error) {
    const info: ErrorInfo = { name: typeof error.name === 'string' ? error.name : 'Error', message: String(error.message) }
    const code = (error as { code?: unknown }).code
    if (typeof code === 'string') info.code = code
    return info
  }
  return { name: 'Error', message: typeof error === 'string' ? error : String(error) }
}

/**
 * VM envelope error → typed host error. Core's VM side builds the envelope, but VM code can bend
 * what reaches the host (a `toJSON` on `Object.prototype`, a patched Promise species), so nothing in
 * it is trusted: a field of the wrong type is left out, and an envelope that is not one still
 * becomes a VMScriptError.
 */
export function envelopeError(envelope: unknown): VMError {
  const env = isRecord(envelope) ? envelope : {}
  if (typeof env.transfer === 'string') return new VMTransferError(env.transfer, typeof env.detail === 'string' ? env.detail : 'could not be copied')
  if (typeof env.unknown === 'string') {
    return new VMUnknownCallableError(env.unknown, Array.isArray(env.names) ? env.names.filter((name): name is string => typeof name === 'string') : [])
  }
  if (!isRecord(env.e)) return new VMScriptError({ name: 'Error', message: 'The VM reported a failure in a form core does not send (VM code may have changed built-ins it relies on)' })
  const e = env.e
  const info: ErrorInfo = { name: typeof e.name === 'string' ? e.name : 'Error', message: typeof e.message === 'string' ? e.message : '' }
  if (typeof e.stack === 'string') info.stack = e.stack
  if (typeof e.code === 'string') info.code = e.code
  if (e.thrown === null || ['string', 'number', 'boolean'].includes(typeof e.thrown)) info.thrown = e.thrown
  if (typeof e.exitCode === 'number') info.exitCode = e.exitCode
  if (info.code === 'VM_ERR_PROCESS_EXIT' && info.name === 'VMProcessExitError') return new VMProcessExitError(info)
  return new VMScriptError(info)
}

/** A success envelope's value, or undefined when `envelope` is not one (see envelopeError). */
export function isSuccessEnvelope(envelope: unknown): envelope is { t: 0; v: unknown } {
  return isRecord(envelope) && envelope.t === 0
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

export type TaskFailure =
  | { kind: 'timeout'; error: VMError }
  | { kind: 'memory'; error: VMError }
  | { kind: 'isolate'; error: VMError }
  | { kind: 'disposed'; error: VMError }
  | { kind: 'unhandled'; error: VMScriptError }

/**
 * Classifies why an isolated-vm task into the VM rejected. Core's VM-side entry points never
 * throw, so anything else is a VM promise that rejected with no handler in that task.
 */
export function classifyTaskFailure(cause: unknown, state: { disposed: boolean; isolateDisposed: boolean; memoryLimit: number; timeout: number }): TaskFailure {
  const message = cause instanceof Error ? cause.message : undefined
  if (state.disposed) return { kind: 'disposed', error: new VMDisposedError('finish the call', { cause }) }
  if (message === 'Script execution timed out.') return { kind: 'timeout', error: new VMTimeoutError(state.timeout, { cause }) }
  if (message !== undefined && /memory limit/i.test(message)) return { kind: 'memory', error: new VMMemoryLimitError(state.memoryLimit, { cause }) }
  if (state.isolateDisposed || message === 'Isolate is disposed') {
    return { kind: 'isolate', error: new VMIsolateError(`The VM's isolate died: ${message ?? String(cause)}`, { cause }) }
  }
  if (cause instanceof Error) {
    return { kind: 'unhandled', error: new VMUnhandledRejectionError({ name: cause.name, message: `Unhandled rejection in the VM: ${cause.message}`, stack: cause.stack }) }
  }
  return { kind: 'unhandled', error: new VMUnhandledRejectionError({ name: 'Error', message: `Unhandled rejection in the VM: ${String(cause)}`, thrown: cause }) }
}
