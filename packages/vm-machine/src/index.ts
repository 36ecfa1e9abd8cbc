export {
  VM,
  VMLibrary,
  VMLibraryGroup,
  VMInjectLibrary,
  isVMLibrary,
  isVMLibraryGroup,
  defineCapability,
  isHostCallableSource,
  markHostCallableSource,
  VMCodebase,
  VMEntry,
  hostFunction,
  isHostFunction,
  isHandledByVM,
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
  VMScriptError,
  VMStateError,
  VMTimeoutError,
  VMTransferError,
  VMUnhandledRejectionError,
  VMUnknownCallableError,
  VMUnresponsiveError,
} from '@vm-machine/core'
export { VMConsoleLibrary, defaultConsoleWriter } from '@vm-machine/console'
export { VMIpcLibrary, VMIpcRxLibrary, VMIpcTxLibrary } from '@vm-machine/ipc'
export { VMTimingLibrary } from '@vm-machine/timing'
export { VMCodeBaseLibrary } from '@vm-machine/codebase'
export { VMMeasureLibrary, VMMeasureMasterLibrary } from '@vm-machine/measure'
export { VMThreadLibrary } from '@vm-machine/threads'
export type {
  AnyFunction,
  Capability,
  HostFunction,
  HostFunctionMode,
  VMCallOptions,
  VMCallTarget,
  VMCodebaseProvider,
  VMEntryProvider,
  VMFunction,
  VMHostCallableSource,
  VMModuleLoader,
  VMModuleSource,
  VMOptions,
  VMReferences,
  VMRunOptions,
} from '@vm-machine/core'
export type { VMConsoleLevel, VMConsoleWriter } from '@vm-machine/console'
export type { VMIpcCallables, VMIpcLibraryOptions } from '@vm-machine/ipc'
export type { VMTimingLibraryOptions } from '@vm-machine/timing'
export type { BaseCodebaseModule, FsOperation, IFs, ModuleResolver, VMCodeBaseModulesLibraryOptions } from '@vm-machine/codebase'
export type { CombinedUsageStats, OverallUsageStats, UsageStats, VMMeasureLibraryOptions, VMMeasureMasterLibraryOptions } from '@vm-machine/measure'
export type { ThreadInfo, VMThreadLibraryOptions } from '@vm-machine/threads'
