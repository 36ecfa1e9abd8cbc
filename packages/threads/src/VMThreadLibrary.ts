import {
  VM,
  type VMCallTarget,
  VMCodebase,
  VMDisposedError,
  type VMError,
  type VMFunction,
  type VMHostCallableSource,
  VMInvalidArgumentError,
  type VMLibrary,
  VMLibraryGroup,
  VMLimitExceededError,
  type VMReferences,
  VMUnresponsiveError,
  hostFunction,
  isHandledByVM,
} from '@vm-machine/core'
import { ThreadBridgeLibrary } from './ThreadBridgeLibrary.js'
import { ThreadScope } from './ThreadScope.js'
import { parentVmCode } from './vmCode.js'

export interface VMThreadLibraryOptions {
  /** Heap limit of each thread's isolate, in MB. @default 16 */
  threadMemoryLimit?: number
  /** Live threads started through this library at once, nested ones included. @default 10 */
  threadsCountLimit?: number
  /** Libraries of each new thread VM (console, timing, ipc…); called once per thread. */
  getThreadLibraries: (threadId: string) => VMLibrary[]
  /** How often the watchdog pings every thread, in ms. @default 1000 */
  watchdogInterval?: number
  /** A thread that leaves a ping unanswered this long is disposed and reported, in ms. @default 10000 */
  threadResponseTimeLimit?: number
}

/** A live thread, as `getThreads()` lists it. */
export interface ThreadInfo {
  vm: VM
  /** Calls the thread's callables from the host (`tx.callIpc(name, args)`). */
  tx: VMCallTarget
  /** The host functions the thread can reach through `host`. */
  rx: VMHostCallableSource
}

interface Thread extends ThreadInfo {
  release: () => void
  ping: VMFunction
  pingSince?: number
}

type ThreadSource = { path: string } | { code: string }

/** The longest delay Node's timers take. */
const MAX_DELAY = 2 ** 31 - 1

/**
 * `startThread(pathOrCode)` in the VM: each thread is a VM with its own isolate and memory limit,
 * running in parallel. Its `exposeCallables` become methods of the handle; `host.*` reaches host
 * functions; a watchdog disposes threads that stop answering.
 */
export class VMThreadLibrary extends VMLibraryGroup {
  readonly threadMemoryLimit: number
  readonly threadsCountLimit: number
  readonly watchdogInterval: number
  readonly threadResponseTimeLimit: number
  readonly #getThreadLibraries: (threadId: string) => VMLibrary[]
  readonly #threads = new Map<string, Thread>()
  #reserved = 0
  #counter = 0
  #scope: ThreadScope | undefined
  #died: VMFunction | undefined
  #watchdog: NodeJS.Timeout | undefined
  #disposed = false

  constructor(options: VMThreadLibraryOptions) {
    super([])
    if (typeof options !== 'object' || options === null) throw new VMInvalidArgumentError('VMThreadLibrary needs options with getThreadLibraries(threadId)')
    const { threadMemoryLimit = 16, threadsCountLimit = 10, getThreadLibraries, watchdogInterval = 1000, threadResponseTimeLimit = 10_000 } = options
    if (typeof getThreadLibraries !== 'function') throw new VMInvalidArgumentError('VMThreadLibrary: getThreadLibraries must be a function (threadId) => VMLibrary[]')
    for (const [name, value, min] of [
      ['threadMemoryLimit', threadMemoryLimit, 8],
      ['threadsCountLimit', threadsCountLimit, 0],
      ['watchdogInterval', watchdogInterval, 1],
      ['threadResponseTimeLimit', threadResponseTimeLimit, 1],
    ] as const) {
      // Node's timers take at most 2^31 - 1 ms (a longer delay fires after 1 ms).
      if (typeof value !== 'number' || !(value >= min && value <= MAX_DELAY)) throw new VMInvalidArgumentError(`VMThreadLibrary: ${name} must be a number from ${min} to ${MAX_DELAY}; got ${String(value)}`)
    }
    this.threadMemoryLimit = threadMemoryLimit
    this.threadsCountLimit = threadsCountLimit
    this.watchdogInterval = watchdogInterval
    this.threadResponseTimeLimit = threadResponseTimeLimit
    this.#getThreadLibraries = getThreadLibraries
  }

  /** Live threads by id: `{ vm, tx, rx }`. */
  getThreads(): Map<string, ThreadInfo> {
    return new Map([...this.#threads].map(([id, { vm, tx, rx }]) => [id, { vm, tx, rx }]))
  }

  override getReferences(): VMReferences {
    return {
      __vmm_threads_start: hostFunction((source: unknown) => this.#start(source), 'async'),
      __vmm_threads_call: hostFunction((threadId: string, name: string, args: unknown[]) => this.#call(threadId, name, args), 'async'),
      __vmm_threads_dispose: hostFunction((threadId: string) => this.#stop(threadId), 'ignored'),
    }
  }

  override getVmCode(): string {
    return parentVmCode
  }

  override start(): void {
    this.#scope = this.vm.find(ThreadScope)
    this.#died = this.vm.getVmFunction('threads.died')
    // A library instance may serve another VM after its first one was disposed.
    this.#disposed = false
    // The watchdog only supervises: it does not keep the process alive (a pending thread call does).
    this.#watchdog = setInterval(() => this.#watch(), this.watchdogInterval)
    this.#watchdog.unref()
  }

  override async dispose(): Promise<void> {
    this.#disposed = true
    if (this.#watchdog) clearInterval(this.#watchdog)
    this.#watchdog = undefined
    const threads = [...this.#threads.keys()]
    await Promise.all(threads.map((id) => this.#stop(id)))
  }

  /** Takes a slot here and in every ancestor; throws VMLimitExceededError when any is full. */
  #reserve(): () => void {
    if (this.#reserved >= this.threadsCountLimit) throw new VMLimitExceededError('threadsCountLimit', this.threadsCountLimit)
    const releaseParent = this.#scope?.reserve()
    this.#reserved++
    let released = false
    return () => {
      if (released) return
      released = true
      this.#reserved--
      releaseParent?.()
    }
  }

  async #start(raw: unknown): Promise<{ threadId: string; names: string[] }> {
    if (this.#disposed) throw new VMDisposedError('start a thread')
    const source = parseSource(raw)
    const codebase = this.vm.find(VMCodebase)
    let entryFile: string | undefined
    if ('path' in source) {
      if (!codebase) throw new TypeError(`startThread('${source.path}') loads a file, which needs a VMCodeBaseLibrary in this VM; pass { code } for inline code`)
      entryFile = codebase.resolveFile(source.path, '/')
      if (!entryFile) throw Object.assign(new Error(`Cannot find thread file '${source.path}'`), { code: 'MODULE_NOT_FOUND' })
    }
    const release = this.#reserve()
    const threadId = this.#scope ? `${this.#scope.threadId}.${++this.#counter}` : `thread-${++this.#counter}`
    const parent = this.vm
    let thread: Thread | undefined
    const bridge = new ThreadBridgeLibrary(threadId, parent, { threadId, reserve: () => this.#reserve() })
    let vm: VM
    try {
      const userLibraries = this.#getThreadLibraries(threadId)
      if (!Array.isArray(userLibraries)) throw new TypeError('getThreadLibraries(threadId) must return an array of libraries')
      const libraries: VMLibrary[] = [bridge, ...(codebase ? [codebase.createLibrary(entryFile)] : []), ...userLibraries]
      vm = new VM(libraries, {
        memoryLimit: this.threadMemoryLimit,
        timeout: parent.timeout,
        onError: (error) => parent.reportError(tagged(error, threadId)),
        onCatastrophicError: (_message, error) => this.#onDeath(threadId, error),
        // Disposed from outside (the host's getThreads().get(id).vm.dispose()): the thread is gone
        // too. A death reaches #onDeath first (it is reported right after the dispose).
        onDispose: () => queueMicrotask(() => this.#onDisposed(threadId, vm)),
      })
    } catch (error) {
      release()
      throw error
    }
    thread = {
      vm,
      tx: { callIpc: (name: string, args: readonly unknown[] = []) => vm.call(name, args) },
      rx: {
        getCallableNames: () => [...new Set(bridge.sources().flatMap((s) => s.getCallableNames()))],
        callHost: (name, args) => {
          const found = bridge.sources().find((s) => s.getCallableNames().includes(name))
          if (!found) return Promise.reject(new TypeError(`host.${name} is not a host function of thread ${threadId}`))
          return found.callHost(name, args)
        },
      },
      release,
      ping: () => Promise.resolve(),
    }
    this.#threads.set(threadId, thread)
    try {
      await vm.initialize()
      thread.ping = vm.getVmFunction('threads.ping')
      if ('code' in source) await vm.run(source.code, { filename: `${threadId}.js` })
      else await vm.run()
      if (this.#disposed || !this.#threads.has(threadId)) throw new VMDisposedError('start the thread')
      return { threadId, names: await vm.getCallableNames() }
    } catch (error) {
      this.#threads.delete(threadId)
      release()
      void vm.dispose()
      throw error
    }
  }

  #call(threadId: string, name: string, args: unknown[]): Promise<unknown> {
    const thread = this.#threads.get(threadId)
    if (!thread) return Promise.reject(Object.assign(new Error(`Thread ${threadId} is disposed`), { name: 'VMDisposedError', code: 'VM_ERR_DISPOSED' }))
    return thread.vm.call(name, args)
  }

  async #stop(threadId: string): Promise<void> {
    const thread = this.#threads.get(threadId)
    if (!thread) return
    this.#threads.delete(threadId)
    thread.release()
    await thread.vm.dispose()
  }

  #onDeath(threadId: string, error: VMError): void {
    const thread = this.#threads.get(threadId)
    if (!thread) return
    this.#threads.delete(threadId)
    thread.release()
    if (this.#disposed || this.vm.isDisposed) return
    this.vm.reportError(tagged(error, threadId))
    this.#died?.(threadId).catch((failure: Error) => {
      if (!isHandledByVM(failure)) this.vm.reportError(failure)
    })
  }

  /** A thread whose VM was disposed by someone else: freed and marked disposed, not reported. */
  #onDisposed(threadId: string, vm: VM): void {
    const thread = this.#threads.get(threadId)
    if (!thread || thread.vm !== vm) return
    this.#threads.delete(threadId)
    thread.release()
    if (this.#disposed || this.vm.isDisposed) return
    this.#died?.(threadId).catch((failure: Error) => {
      if (!isHandledByVM(failure)) this.vm.reportError(failure)
    })
  }

  #watch(): void {
    const now = Date.now()
    for (const thread of this.#threads.values()) {
      if (!thread.vm.isInitialized) continue
      if (thread.pingSince === undefined) {
        const sent = now
        thread.pingSince = sent
        thread.ping().then(
          () => {
            if (thread.pingSince === sent) thread.pingSince = undefined
          },
          () => {},
        )
      } else if (now - thread.pingSince > this.threadResponseTimeLimit) {
        // terminate() reports through onCatastrophicError, which lands in #onDeath.
        thread.vm.terminate(new VMUnresponsiveError(this.threadResponseTimeLimit))
      }
    }
  }
}

function parseSource(raw: unknown): ThreadSource {
  if (typeof raw === 'string') return raw.startsWith('/') || raw.startsWith('.') ? { path: raw } : { code: raw }
  if (typeof raw === 'object' && raw !== null) {
    const { path, code } = raw as { path?: unknown; code?: unknown }
    if (typeof path === 'string') return { path }
    if (typeof code === 'string') return { code }
  }
  throw new TypeError('startThread() takes a path (starting with / or .), inline code, { path } or { code }')
}

/** The thread's error, marked with the thread it came from. */
/** `error` with the id of the thread it came from (an inner thread's id stays: it is the precise one). */
function tagged(error: Error, threadId: string): Error {
  if (Object.hasOwn(error, 'threadId')) return error
  try {
    Object.defineProperty(error, 'threadId', { value: threadId, enumerable: true, configurable: true })
  } catch {
    // Frozen error objects keep their identity; the message still says enough.
  }
  return error
}
