import { VMLibrary, type VMReferences, hostFunction } from '@vm-machine/core'
import { vmCode } from './vmCode.js'

/** A VM console method name, passed to the writer as `level`. */
export type VMConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'dir' | 'table'

/** Receives each VM console call: the method name and copies of its arguments. */
export type VMConsoleWriter = (level: VMConsoleLevel | string, ...args: unknown[]) => void

const toStderr = new Set(['error', 'warn', 'trace'])

/** The default writer: the host console with a `[VM]` prefix; error, warn and trace go to stderr. */
export const defaultConsoleWriter: VMConsoleWriter = (level, ...args) => {
  if (level === 'table') return console.table(...(args as [unknown, string[]?]))
  if (level === 'dir') return console.dir(args[0], args[1] as object | undefined)
  if (toStderr.has(level)) console.error('[VM]', ...args)
  else console.log('[VM]', ...args)
}

/**
 * `console.*` in the VM. Calls reach `writeLog(level, ...args)` on the host in order, as
 * fire-and-forget host calls: logging never waits for the host.
 */
export class VMConsoleLibrary extends VMLibrary {
  readonly #writeLog: VMConsoleWriter

  constructor(writeLog: VMConsoleWriter = defaultConsoleWriter) {
    super()
    if (typeof writeLog !== 'function') throw new TypeError('VMConsoleLibrary expects a writeLog(level, ...args) function')
    this.#writeLog = writeLog
  }

  override getReferences(): VMReferences {
    return {
      __vmm_console_write: hostFunction((level: string, args: unknown[]) => this.#writeLog(level, ...args), 'ignored'),
    }
  }

  override getVmCode(): string {
    return vmCode
  }
}
