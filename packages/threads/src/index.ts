export { VMThreadLibrary } from './VMThreadLibrary.js'
export type { ThreadInfo, VMThreadLibraryOptions } from './VMThreadLibrary.js'
