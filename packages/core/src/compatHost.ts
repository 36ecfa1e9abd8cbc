import { randomFillSync } from 'node:crypto'
import { domainToASCII } from 'node:url'
import ivm from 'isolated-vm'
import { compileCached } from './codeCache.js'
import { urlSource } from './generated/embedded.js'
import type { VMScript } from './vmScript.js'
import { webCode } from './webCode.js'

interface Alive {
  isolate: ivm.Isolate
  context: ivm.Context
}

const scripts: Record<string, readonly [code: string, filename: string]> = {
  web: [webCode, 'vm-machine:web.js'],
  url: [urlSource, 'vm-machine:url.js'],
}

/** Runs trusted code in the VM (compiled with the code cache) and hands its value to the VM caller. */
export function evaluateForVm({ isolate, context }: Alive, code: string, filename: string): unknown {
  const result = compileCached(isolate, code, filename).runSync(context, { reference: true }) as ivm.Reference
  return result.derefInto({ release: true })
}

/**
 * The host half of core's web globals, one sync callback per VM (see bootstrapCode). The VM side
 * validates arguments first, so these never throw for a well-formed call.
 */
export function compatCallback(alive: () => Alive, vmScripts: readonly VMScript[], onShared: () => void): ivm.Callback {
  return new ivm.Callback((op: string, arg: unknown) => withoutHostStack(() => compat(alive, vmScripts, onShared, op, arg)))
}

function compat(alive: () => Alive, vmScripts: readonly VMScript[], onShared: () => void, op: string, arg: unknown): unknown {
  {
    switch (op) {
      // VM code read SharedArrayBuffer or WebAssembly: it may make shared memory from now on.
      case 'shared':
        onShared()
        return undefined
      // A library's vmScript() reference, by index (see VM#installReferences).
      case 'script': {
        const script = vmScripts[arg as number]
        if (!script) throw new TypeError(`No vmScript #${String(arg)}`)
        return evaluateForVm(alive(), script.code, script.filename)
      }
      case 'load': {
        const script = scripts[String(arg)]
        if (!script) throw new TypeError(`No embedded script '${String(arg)}'`)
        return evaluateForVm(alive(), script[0], script[1])
      }
      case 'random': {
        if (typeof arg !== 'number' || !Number.isInteger(arg) || arg < 0 || arg > 65536) throw new RangeError('random() takes 0 to 65536 bytes')
        return randomFillSync(new Uint8Array(arg))
      }
      // The argument arrived as a copy and leaves as another: a structured clone.
      case 'clone':
        return arg
      case 'idna':
        return typeof arg === 'string' ? domainToASCII(arg) : ''
      default:
        throw new TypeError(`Unknown compat operation '${String(op)}'`)
    }
  }
}

const errorTypes: Record<string, ErrorConstructor> = { TypeError, RangeError, SyntaxError, ReferenceError }

/**
 * isolated-vm hands an error a callback throws to the VM with its stack: rethrow name and
 * message only, so that no host file path reaches the VM.
 */
export function withoutHostStack<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error'
    const message = error instanceof Error ? error.message : String(error)
    const Ctor = errorTypes[name] ?? Error
    const safe = new Ctor(message)
    if (Ctor === Error && name !== 'Error') safe.name = name
    safe.stack = `${name}: ${message}`
    throw safe
  }
}
