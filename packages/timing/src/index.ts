export { VMTimingLibrary } from './VMTimingLibrary.js'
export type { VMTimingLibraryOptions } from './VMTimingLibrary.js'
