export { VM } from './VM.js'
export { VMLibrary, isVMLibrary } from './VMLibrary.js'
export { VMLibraryGroup, isVMLibraryGroup } from './VMLibraryGroup.js'
export { VMInjectLibrary } from './VMInjectLibrary.js'
export { defineCapability, isHostCallableSource, markHostCallableSource, VMCodebase, VMEntry } from './capability.js'
export { hostFunction, isHostFunction } from './hostFunction.js'
export { vmScript, isVMScript } from './vmScript.js'
export {
  VMError,
  VMAbortedError,
  VMCallTimeoutError,
  VMCapabilityMissingError,
  VMDisposedError,
  VMInvalidArgumentError,
  VMIsolateError,
  VMLibraryConflictError,
  VMLimitExceededError,
  VMMemoryLimitError,
  VMNotInitializedError,
  VMProcessExitError,
  VMScriptError,
  VMStateError,
  VMTimeoutError,
  VMTransferError,
  VMUnhandledRejectionError,
  VMUnknownCallableError,
  VMUnresponsiveError,
  isHandledByVM,
} from './errors.js'
export type { VMOptions, VMRunOptions, VMCallOptions, VMFunction, VMModuleLoader, VMModuleSource } from './VM.js'
export type { VMReferences } from './VMLibrary.js'
export type { Capability, VMCallTarget, VMCodebaseProvider, VMEntryProvider, VMHostCallableSource } from './capability.js'
export type { HostFunction, HostFunctionMode, AnyFunction } from './hostFunction.js'
export type { VMScript } from './vmScript.js'
