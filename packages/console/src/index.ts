export { VMConsoleLibrary, defaultConsoleWriter } from './VMConsoleLibrary.js'
export type { VMConsoleLevel, VMConsoleWriter } from './VMConsoleLibrary.js'
