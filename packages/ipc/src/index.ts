export { VMIpcRxLibrary } from './VMIpcRxLibrary.js'
export { VMIpcLibrary, VMIpcTxLibrary } from './VMIpcLibrary.js'
export type { VMIpcCallables, VMIpcRxLibraryOptions } from './VMIpcRxLibrary.js'
export type { VMIpcLibraryOptions } from './VMIpcLibrary.js'
