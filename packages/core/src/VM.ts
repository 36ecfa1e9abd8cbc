import ivm from 'isolated-vm'
import { type Capability, VMEntry } from './capability.js'
import {
  VMAbortedError,
  VMCallTimeoutError,
  VMCapabilityMissingError,
  VMDisposedError,
  VMError,
  VMInvalidArgumentError,
  VMIsolateError,
  VMLibraryConflictError,
  VMNotInitializedError,
  VMScriptError,
  VMStateError,
  VMTransferError,
  VMUnhandledRejectionError,
} from './errors.js'
import { type Envelope, classifyTaskFailure, envelopeError, hostErrorInfo, isSuccessEnvelope } from './hostErrors.js'
import { type HostFunction, isHostFunction, toHostFunction } from './hostFunction.js'
import { compileCachedAsync, warmCodeCache } from './codeCache.js'
import { compatCallback } from './compatHost.js'
import { type Deadline, Deadlines } from './deadlines.js'
import { argsFromVm, compactViews, copyArgsForVm, copyForVm, extractFunctions, fromVm, passesAsIs, transferErrorFor } from './transfer.js'
import { isVMLibraryGroup } from './VMLibraryGroup.js'
import { VMLibrary, isVMLibrary, kOwner } from './VMLibrary.js'
import { BRIDGE, SPEC, bootstrapCode } from './vmCode.js'
import { type VMScript, isVMScript } from './vmScript.js'

export interface VMOptions {
  /** Heap limit of the VM's isolate in MB; at least 8. @default 64 */
  memoryLimit?: number
  /** CPU time in ms that each entry into the VM (run, call, timer, continuation) may take; exceeding it is catastrophic. @default undefined (off) */
  timeout?: number
  /** Errors the host would not otherwise see: run() failures, timer callback errors, unhandled VM rejections, library reports. */
  onError?: (error: Error) => void
  /** The VM died (memory limit, timeout, isolate death, panic stop) and was disposed. */
  onCatastrophicError?: (message: string, error: VMError) => void
  /** After each run() settles. */
  onEnd?: () => void
  /** Once, after every library's dispose(). */
  onDispose?: () => void
}

export interface VMRunOptions {
  /** File name shown in VM stack traces. @default 'run-<n>.js' */
  filename?: string
  /** Rejects the run with VMAbortedError when aborted; the VM code itself runs on. */
  signal?: AbortSignal
}

/** An ES module's source and the file name it is known by (its identity in the VM's module map). */
export interface VMModuleSource {
  filename: string
  source: string
}

/** Finds the module `specifier` imported from the module named `referrer`. */
export type VMModuleLoader = (specifier: string, referrer: string) => Promise<VMModuleSource> | VMModuleSource

export interface VMCallOptions {
  /** Rejects with VMCallTimeoutError after this many ms; 0 or undefined waits forever. */
  timeout?: number
  signal?: AbortSignal
}

/** A host handle to a function a library's VM code registered with `__vmm_expose(name, fn)`. */
export type VMFunction = (...args: unknown[]) => Promise<unknown>

// run(code) compiles and starts in one task. The bridge ($0) takes the run operation, the id ($1)
// and the acknowledgements ($2) and returns the function that starts the user's code; the fourth
// argument clears $0–$2 before that call returns, so no user code (not even code that closes the
// wrapper early) can reach them: the callee was read before the arguments. The user's function is
// in parentheses, which makes V8 compile it with the wrapper instead of pre-parsing it first and
// parsing it again on the call.
const RUN_PREFIX = `return $0(${BRIDGE.run}, $1, $2, ($0 = $1 = $2 = undefined, 0))((async function () {`
// Code without the word \`await\` cannot await, so it runs as a plain function: the same outcome
// (a returned promise is still waited for, a throw still rejects) without an async function's
// promise and reaction jobs (25–40 µs in a fresh isolate).
const RUN_PREFIX_SYNC = `return $0(${BRIDGE.run}, $1, $2, ($0 = $1 = $2 = undefined, 1))((function () {`
const RUN_SUFFIX = '\n}))'
const MAY_AWAIT = /\bawait\b/
const DEFAULT_MEMORY_LIMIT = 64

type State = 'created' | 'initializing' | 'ready' | 'disposed'

export class VM {
  readonly #libraries: readonly VMLibrary[]
  readonly #options: VMOptions
  readonly #memoryLimit: number
  #flat: VMLibrary[] = []
  #attached: VMLibrary[] = []
  #state: State = 'created'
  #isolate: ivm.Isolate | undefined
  #context: ivm.Context | undefined
  /** The VM side's bridge function (see bootstrapCode). */
  #bridge: ivm.Reference | undefined
  /** Tasks whose outcome the VM hands over through the deliver channel (see #taskFailed). */
  readonly #pending = new Map<number, Task>()
  /** Entries waiting for the next microtask to go into the VM, in the order they were made. */
  #queue: Array<Task | (() => void)> = []
  readonly #deadlines = new Deadlines<Task>((task) => this.#finish(task, false, new VMCallTimeoutError(task.name, task.timeout)))
  #nextId = 1
  #runCount = 0
  readonly #capabilities = new Map<string, unknown>()
  /** Names VM code registered with `__vmm_expose` during initialize(). */
  #vmFunctions = new Set<string>()
  /** vmScript() references, loaded through core's compat callback by index. */
  readonly #scripts: VMScript[] = []
  /** VM code may have made shared memory (it read SharedArrayBuffer or WebAssembly): values from the VM are checked for it. */
  #mayShare = false
  #disposing: Promise<void> | undefined
  #deathReason: VMError | undefined
  // isolated-vm arms its timeout machinery whenever a `timeout` key is present, even undefined,
  // which costs ~8 µs per call: pass the option only when it is set.
  #applyOptions: { timeout: number } | undefined
  #resultOptions: { result: { promise: true; copy: true }; timeout?: number }
  #copyResultOptions: { result: { copy: true }; timeout?: number }
  /** Ids of calls whose envelopes the host consumed; sent with the next call so the VM frees them. */
  readonly #acks: number[] = []

  constructor(libraries: VMLibrary[] = [], options: VMOptions = {}) {
    if (!Array.isArray(libraries)) throw new VMInvalidArgumentError('new VM(libraries, options): libraries must be an array of VMLibrary instances')
    libraries.forEach((library, index) => {
      if (!isVMLibrary(library)) throw new VMInvalidArgumentError(`new VM(libraries): libraries[${index}] is not a VMLibrary (got ${describe(library)})`)
    })
    if (typeof options !== 'object' || options === null) throw new VMInvalidArgumentError('new VM(libraries, options): options must be an object')
    const { memoryLimit = DEFAULT_MEMORY_LIMIT } = options
    if (typeof memoryLimit !== 'number' || !Number.isFinite(memoryLimit) || memoryLimit < 8) {
      throw new VMInvalidArgumentError(`memoryLimit must be a number of MB, at least 8 (isolated-vm's minimum); got ${describe(memoryLimit)}`)
    }
    if (options.timeout !== undefined && (typeof options.timeout !== 'number' || !(options.timeout > 0) || !(options.timeout <= MAX_TIMEOUT))) {
      throw new VMInvalidArgumentError(`timeout must be a positive number of ms, at most ${MAX_TIMEOUT} (about 24.8 days; leave it out for none); got ${describe(options.timeout)}`)
    }
    // isolated-vm takes whole milliseconds only: a fraction is rounded up.
    const timeout = options.timeout === undefined ? undefined : Math.ceil(options.timeout)
    for (const name of ['onError', 'onCatastrophicError', 'onEnd', 'onDispose'] as const) {
      if (options[name] !== undefined && typeof options[name] !== 'function') throw new VMInvalidArgumentError(`${name} must be a function; got ${describe(options[name])}`)
    }
    this.#libraries = [...libraries]
    this.#options = { ...options, timeout }
    this.#memoryLimit = memoryLimit
    this.#applyOptions = timeout === undefined ? undefined : { timeout }
    this.#resultOptions = timeout === undefined ? { result: { promise: true, copy: true } } : { result: { promise: true, copy: true }, timeout }
    this.#copyResultOptions = timeout === undefined ? { result: { copy: true } } : { result: { copy: true }, timeout }
  }

  get isInitialized(): boolean {
    return this.#state === 'ready'
  }
  get isDisposed(): boolean {
    return this.#state === 'disposed'
  }
  get memoryLimit(): number {
    return this.#memoryLimit
  }
  get timeout(): number | undefined {
    return this.#options.timeout
  }
  /** Every library in hook order, groups flattened (empty before initialize()). */
  get libraries(): readonly VMLibrary[] {
    return this.#flat
  }
  /** CPU time the isolate has used, in ms. */
  get cpuTime(): number {
    return this.#isolate && !this.#isolate.isDisposed ? Number(this.#isolate.cpuTime) / 1e6 : 0
  }
  /** Wall time the isolate has been running code, in ms. */
  get wallTime(): number {
    return this.#isolate && !this.#isolate.isDisposed ? Number(this.#isolate.wallTime) / 1e6 : 0
  }

  /** V8 heap statistics of the VM's isolate. */
  async getHeapStatistics(): Promise<ivm.HeapStatistics> {
    // Also from library hooks (start/afterStart): the isolate exists and nothing runs in it.
    const isolate = this.#state === 'initializing' && this.#bridge && this.#isolate ? this.#isolate : this.#requireReady('read heap statistics').isolate
    try {
      return await isolate.getHeapStatistics()
    } catch (cause) {
      throw this.#state === 'disposed' ? (this.#deathReason ?? new VMDisposedError('read heap statistics', { cause })) : this.#failure(cause)
    }
  }

  async initialize(): Promise<void> {
    if (this.#state === 'disposed') throw new VMDisposedError('initialize()')
    if (this.#state !== 'created') throw new VMStateError('initialize() was already called on this VM')
    this.#state = 'initializing'
    try {
      this.#flat = flatten(this.#libraries)
      for (const library of this.#flat) {
        const owner = library[kOwner]
        if (owner && owner !== this) throw new VMLibraryConflictError(`${library.name} is already used by another VM; create one library instance per VM`)
      }
      const isolate = new ivm.Isolate({
        memoryLimit: this.#memoryLimit,
        onCatastrophicError: (message) => this.terminate(new VMIsolateError(`The VM's isolate failed: ${message}`)),
      })
      this.#isolate = isolate
      // The isolate's thread creates the context and compiles core's and the libraries' code
      // while this thread attaches the libraries and prepares their references.
      const contextReady = quiet(isolate.createContext())
      const coreCompiled = quiet(compileCachedAsync(isolate, bootstrapCode, 'vm-machine:core.js'))
      for (const library of this.#flat) {
        library[kOwner] = this
        this.#attached.push(library)
        const attached = library.attach(this)
        if (isThenable(attached)) await attached
        this.#assertInitializing()
      }
      const collected = this.#flat.map((library) => ({ library, references: library.getReferences() ?? {}, code: library.getVmCode() ?? '' }))
      const coded = collected
        .filter(({ code }) => code.trim() !== '')
        .map(({ library, code }) => ({ library, compiled: settle(compileCachedAsync(isolate, code, `vm-machine:${library.name}.js`)) }))
      const composition = compositionOf(collected)
      const check = composition === undefined || !isChecked(composition)
      const references = this.#prepareReferences(collected, check ? coded.length : 0)
      // One wait for everything the isolate's thread does (each await is a trip through the
      // microtask queue; the compiles finish right after the context anyway).
      const [context, coreScript, ...outcomes] = await Promise.all([contextReady, coreCompiled, ...coded.map(({ compiled }) => compiled)])
      this.#assertInitializing()
      this.#context = context
      this.#bridge = this.#bootstrap(coreScript, context, references)
      this.#evaluateLibraryCodes(coded.map(({ library }, index) => ({ library, outcome: outcomes[index] as Settled<ivm.Script> })), references.owners, check)
      if (check && composition !== undefined) rememberComposition(composition)
      warmCodeCache(isolate) // the VM is idle: no library has started yet
      for (const library of this.#flat) {
        const started = library.start()
        if (isThenable(started)) await started
        this.#assertInitializing()
      }
      for (const library of this.#flat) {
        const after = library.afterStart()
        if (isThenable(after)) await after
        this.#assertInitializing()
      }
      this.#state = 'ready'
    } catch (error) {
      const reason = this.#deathReason
      void this.dispose()
      if (reason) throw reason
      if (error instanceof VMError) throw error
      throw new VMStateError(`initialize() failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    }
  }

  /**
   * Runs code as the body of an async function (so `return` and `await` work) and resolves with
   * a copy of what it returned; functions in a returned plain object become callables.
   * Without code, runs the entry a library provides (e.g. codebase's entry file).
   */
  async run(code?: string, options: VMRunOptions = {}): Promise<unknown> {
    this.#requireReady('run code')
    if (typeof options !== 'object' || options === null) throw new VMInvalidArgumentError(`run(code, options): options must be an object; got ${describe(options)}`)
    assertSignal(options.signal, 'run(code, { signal })')
    let filename = options.filename
    if (code === undefined) {
      const entry = this.find(VMEntry)?.getEntry()
      if (!entry) throw new VMInvalidArgumentError('run() without code needs a library that provides an entry (e.g. VMCodeBaseLibrary with setEntryFile())')
      code = entry.code
      filename ??= entry.filename
    }
    if (typeof code !== 'string') throw new VMInvalidArgumentError(`run(code): code must be a string; got ${describe(code)}`)
    if (filename !== undefined && typeof filename !== 'string') throw new VMInvalidArgumentError('run(code, { filename }): filename must be a string')
    filename ??= `run-${++this.#runCount}.js`
    try {
      const { signal } = options
      if (signal?.aborted) throw new VMAbortedError({ cause: signal.reason })
      this.#requireReady('run code')
      // Always asynchronous: a sync call would block the host while the VM is busy. The value
      // arrives as the task's result, like a call's.
      const sync = !MAY_AWAIT.test(code)
      return await this.#submit(new Task(this.#nextId++, `run(${filename})`, `${sync ? RUN_PREFIX_SYNC : RUN_PREFIX}${code}${RUN_SUFFIX}`, filename, sync), 0, signal)
    } catch (error) {
      if (error instanceof VMError && !(error instanceof VMDisposedError) && error !== this.#deathReason) {
        const handler = this.#options.onError
        if (handler) this.#safely(() => handler(error))
      }
      throw error
    } finally {
      this.#safely(this.#options.onEnd)
    }
  }

  /** Calls a VM callable (from run()'s returned object, an entry's exports, or exposeCallables). */
  call(name: string, args: readonly unknown[] = [], options: VMCallOptions = {}): Promise<unknown> {
    try {
      if (typeof name !== 'string') throw new VMInvalidArgumentError(`call(name, args): name must be a string; got ${describe(name)}`)
      if (!Array.isArray(args)) throw new VMInvalidArgumentError(`call('${name}', args): args must be an array; got ${describe(args)}`)
      if (typeof options !== 'object' || options === null) throw new VMInvalidArgumentError(`call('${name}', args, options): options must be an object; got ${describe(options)}`)
      assertSignal(options.signal, `call('${name}', args, { signal })`)
      const { timeout } = options
      if (timeout !== undefined && (typeof timeout !== 'number' || timeout < 0 || Number.isNaN(timeout))) {
        throw new VMInvalidArgumentError(`call timeout must be a number of ms >= 0; got ${describe(timeout)}`)
      }
      const { signal } = options
      if (signal?.aborted) throw new VMAbortedError({ cause: signal.reason })
      if (this.#state !== 'ready') this.#requireReady(`call '${name}'`)
      const id = this.#nextId++
      return this.#submit(new Task(id, name, copyArgsForVm(args, name, [BRIDGE.invoke, id, 0, name])), timeout ?? 0, signal)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * Compiles `entry` and its static imports as real ES modules (each file once per VM), links,
   * evaluates them (top-level await included) and resolves with an id; VM code of a library
   * turns the id into the module namespace with the `__vmm_take_namespace(id)` it captured at
   * initialize(). `load` supplies each imported module's source.
   */
  async importModule(entry: VMModuleSource, load: VMModuleLoader): Promise<number> {
    const { isolate, context } = this.#requireReady('import an ES module')
    const root = await this.#compileModule(isolate, entry, load)
    try {
      await root.instantiate(context, (specifier, referrer) => {
        const found = this.#moduleLinks.get(referrer)?.get(specifier)
        if (!found) throw new Error(`Cannot link '${specifier}'`)
        return found
      })
      await root.evaluate({ ...this.#applyOptions, promise: true } as ivm.ScriptRunOptions)
    } catch (cause) {
      throw this.#moduleFailure(cause)
    }
    const id = this.#nextId++
    await this.#later('import an ES module', (bridge) => bridge.apply(undefined, [BRIDGE.admin, 'putNamespace', id, root.namespace.derefInto()]))
    return id
  }

  readonly #modules = new Map<string, Promise<ivm.Module>>()
  readonly #moduleLinks = new Map<ivm.Module, Map<string, ivm.Module>>()

  #compileModule(isolate: ivm.Isolate, source: VMModuleSource, load: VMModuleLoader): Promise<ivm.Module> {
    const cached = this.#modules.get(source.filename)
    if (cached) return cached
    const compiling = (async () => {
      let module: ivm.Module
      try {
        module = await isolate.compileModule(source.source, { filename: source.filename })
      } catch (cause) {
        throw this.#moduleFailure(cause)
      }
      const links = new Map<string, ivm.Module>()
      this.#moduleLinks.set(module, links)
      for (const specifier of module.dependencySpecifiers) {
        const dependency = await load(specifier, source.filename)
        links.set(specifier, await this.#compileModule(isolate, dependency, load))
      }
      return module
    })()
    this.#modules.set(source.filename, compiling)
    compiling.catch(() => this.#modules.delete(source.filename))
    return compiling
  }

  #moduleFailure(cause: unknown): VMError {
    if (cause instanceof VMError) return cause
    const failure = classifyTaskFailure(cause, {
      disposed: this.#state === 'disposed',
      isolateDisposed: this.#isolate?.isDisposed ?? false,
      memoryLimit: this.#memoryLimit,
      timeout: this.#options.timeout ?? 0,
    })
    if (failure.kind !== 'unhandled') return this.#failure(cause)
    const error = cause instanceof Error ? cause : new Error(String(cause))
    return new VMScriptError({ name: error.name, message: error.message, stack: error.stack })
  }

  /** Names of the VM's callables (from run() results, entry exports and exposeCallables). */
  async getCallableNames(): Promise<string[]> {
    this.#requireReady('list callables')
    try {
      return (await this.#later('list callables', (bridge) => bridge.apply(undefined, [BRIDGE.admin, 'callableNames'], { result: { copy: true } }))) as string[]
    } catch (cause) {
      throw this.#failure(cause)
    }
  }

  /**
   * Starts `task` at the next microtask, with `timeout` (ms, 0 for none) and `signal` applied;
   * resolves with its value. Entering the VM from a microtask keeps the host stack shallow, and
   * isolated-vm records up to 10 frames of it for every asynchronous entry (~0.15 µs a frame).
   */
  #submit(task: Task, timeout: number, signal: AbortSignal | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      task.resolve = resolve
      task.reject = reject
      if (timeout > 0) {
        task.timeout = timeout
        this.#deadlines.add(task, timeout)
      }
      if (signal) {
        task.signal = signal
        task.onAbort = () => this.#finish(task, false, new VMAbortedError({ cause: signal.reason }))
        signal.addEventListener('abort', task.onAbort, { once: true })
      }
      this.#enqueue(task)
    })
  }

  /** Runs `start` with the bridge at the next microtask, in order with runs and calls. */
  #later<T>(action: string, start: (bridge: ivm.Reference) => Promise<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      this.#enqueue(() => {
        const bridge = this.#bridge
        if (!bridge || this.#state === 'disposed') return reject(this.#deathReason ?? new VMDisposedError(action))
        try {
          start(bridge).then(resolve, reject)
        } catch (error) {
          reject(error)
        }
      })
    })
  }

  #enqueue(entry: Task | (() => void)): void {
    if (this.#queue.push(entry) === 1) void RESOLVED.then(this.#flush)
  }

  readonly #flush = (): void => {
    const queue = this.#queue
    this.#queue = []
    for (const entry of queue) {
      if (typeof entry === 'function') entry()
      else this.#start(entry)
    }
  }

  /**
   * One task into the VM. The value comes back as the task's own result (as cheap as a raw
   * apply); a VM throw as a marked error carrying its envelope. When the task itself failed after
   * the call settled (an unhandled rejection in it, a value that cannot be copied), the VM hands
   * the kept outcome over by id through the deliver channel.
   */
  #start(task: Task): void {
    if (task.done) return // timed out or aborted before it started: the VM never sees it
    const bridge = this.#bridge
    const context = this.#context
    if (!bridge || !context || this.#state === 'disposed') return this.#finish(task, false, this.#deathReason ?? new VMDisposedError(`finish ${task.name}`))
    let outcome: Promise<unknown>
    try {
      const { input } = task
      if (typeof input === 'string') {
        // A plain function's result is the value itself (a promise it returns fails the copy and
        // is recovered like a call's, see #taskFailed).
        const origin = task.sync
          ? { filename: task.filename, columnOffset: -RUN_PREFIX_SYNC.length, ...this.#copyResultOptions }
          : { filename: task.filename, columnOffset: -RUN_PREFIX.length, ...this.#resultOptions }
        outcome = context.evalClosure(input, [bridge.derefInto(), task.id, this.#takeAcks()], origin)
      } else {
        input[2] = this.#takeAcks()
        outcome = bridge.apply(undefined, input, this.#resultOptions)
      }
    } catch (cause) {
      return this.#finish(task, false, this.#failure(cause))
    }
    outcome.then(
      (value) => {
        this.#acks.push(task.id)
        if (!this.#mayShare) return this.#finish(task, true, value)
        const copied = this.#fromVm(value, `${task.name} result`)
        if (copied instanceof VMTransferError) this.#finish(task, false, copied)
        else this.#finish(task, true, copied)
      },
      (cause) => {
        try {
          this.#taskFailed(task, bridge, cause)
        } catch (error) {
          // Never an unhandled rejection on the host, whatever the VM sent.
          this.#finish(task, false, error instanceof VMError ? error : new VMStateError(`${task.name} failed: ${String(error)}`, { cause: error }))
        }
      },
    )
  }

  /** Ids whose results the host has; the next run or call tells the VM to let go of them. */
  #takeAcks(): number | unknown {
    return this.#acks.length === 0 ? 0 : this.#acks.length === 1 ? this.#acks.pop() : copyForVm(this.#acks.splice(0), 'acks')
  }

  /**
   * A task that rejected: a marked error's envelope becomes a typed error; when the task itself
   * failed (its value could not be copied, an unhandled rejection in it), the outcome the VM kept
   * for its id is recovered by a second call.
   */
  #taskFailed(task: Task, bridge: ivm.Reference, cause: unknown): void {
    const { id } = task
    const envelope = callErrorEnvelope(cause)
    if (envelope !== undefined) {
      this.#acks.push(id)
      return this.#finish(task, false, envelopeError(envelope))
    }
    if (isTooDeepToCopy(cause)) {
      this.#acks.push(id)
      return this.#finish(task, false, new VMTransferError(`${task.name} result`, 'nested too deeply to copy', { cause }))
    }
    // run(): code that does not compile never started (a SyntaxError thrown while it runs
    // arrives marked, like every error of the run's own promise).
    if (typeof task.input === 'string' && isCompileError(cause) && !this.#deathReason) return this.#finish(task, false, this.#failure(cause, true, true))
    const error = isCloneFailure(cause) ? undefined : this.#failure(cause, false)
    if (error && (this.#deathReason || this.#state === 'disposed')) return this.#finish(task, false, error)
    if (this.#state === 'disposed') return this.#finish(task, false, this.#deathReason ?? new VMDisposedError(`finish ${task.name}`))
    this.#pending.set(id, task)
    let recovered: Promise<unknown>
    try {
      recovered = bridge.apply(undefined, [BRIDGE.admin, 'recover', id], { ...this.#applyOptions, result: { promise: true, copy: true } })
    } catch (again) {
      return this.#settle(id, undefined, this.#failure(again))
    }
    recovered.then(
      (status) => {
        // 'failed': the call's own rejection; 'transfer': its value could not be copied. Otherwise
        // (delivered fine, or still pending) the task failed of an unhandled rejection.
        if ((status === 'delivered' || status === 'pending') && error instanceof VMUnhandledRejectionError) this.reportError(error)
        // Nothing kept for the id (not expected): the task's own failure is all there is.
        else if (status === 'orphan') this.#settle(id, undefined, error ?? new VMStateError(`${task.name} failed and left no outcome in the VM`))
      },
      (again) => this.#settle(id, undefined, this.#failure(again)),
    )
  }

  /** Settles `task` once: clears its deadline and abort listener. */
  #finish(task: Task, ok: boolean, value: unknown): void {
    if (task.done) return
    task.done = true
    if (task.at !== 0) this.#deadlines.remove(task)
    if (task.onAbort) task.signal?.removeEventListener('abort', task.onAbort)
    if (ok) task.resolve(value)
    else task.reject(value)
  }

  /**
   * Disposes every library (reverse order, each guarded), the isolate, and rejects in-flight
   * calls. Idempotent; safe without `await`; the promise never rejects.
   */
  dispose(): Promise<void> {
    if (this.#disposing) return this.#disposing
    this.#state = 'disposed'
    const reason = this.#deathReason
    for (const [id, task] of this.#pending) {
      this.#pending.delete(id)
      this.#finish(task, false, reason ?? new VMDisposedError('finish the call'))
    }
    this.#deadlines.clear()
    const waits: Promise<unknown>[] = []
    for (const library of [...this.#attached].reverse()) {
      try {
        const result = library.dispose()
        if (isThenable(result)) waits.push(Promise.resolve(result).catch((error) => this.#reportDisposeError(library, error)))
      } catch (error) {
        this.#reportDisposeError(library, error)
      }
    }
    this.#vmFunctions.clear()
    this.#modules.clear()
    this.#moduleLinks.clear()
    try {
      if (this.#isolate && !this.#isolate.isDisposed) this.#isolate.dispose()
    } catch {
      // Already gone (memory limit); nothing left to free.
    }
    this.#bridge = undefined
    this.#context = undefined
    const finish = () => {
      for (const library of this.#attached) if (library[kOwner] === this) library[kOwner] = undefined
      this.#safely(this.#options.onDispose)
    }
    if (waits.length === 0) {
      finish()
      this.#disposing = Promise.resolve()
    } else {
      this.#disposing = Promise.all(waits).then(finish)
    }
    return this.#disposing
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.dispose()
  }
  [Symbol.dispose](): void {
    void this.dispose()
  }

  /**
   * Stops the VM for good: disposes it and reports `error` to `onCatastrophicError`. Used for
   * panic stops (measure, threads' watchdog); pending calls reject with `error`.
   */
  terminate(error: VMError): void {
    if (this.#state === 'disposed') return
    this.#deathReason = error
    void this.dispose()
    const handler = this.#options.onCatastrophicError
    if (handler) this.#safely(() => handler(error.message, error))
    else process.emitWarning(error, { code: error.code })
  }

  /** Sends an error to `onError` (or a process warning when there is none). Never throws. */
  reportError(error: Error): void {
    const handler = this.#options.onError
    if (handler) this.#safely(() => handler(error))
    else process.emitWarning(error, { code: (error as Partial<VMError>).code ?? 'VM_ERR' })
  }

  /** Offers `impl` under `capability` to the other libraries of this VM. */
  provide<T>(capability: Capability<T>, impl: T): void {
    if (this.#capabilities.has(capability.key)) throw new VMLibraryConflictError(`Two libraries provide '${capability.key}'; keep one`)
    this.#capabilities.set(capability.key, impl)
  }
  /** The implementation of `capability`, or undefined. */
  find<T>(capability: Capability<T>): T | undefined {
    return this.#capabilities.get(capability.key) as T | undefined
  }
  /** The implementation of `capability`; throws VMCapabilityMissingError when no library provides it. */
  need<T>(capability: Capability<T>): T {
    if (!this.#capabilities.has(capability.key)) throw new VMCapabilityMissingError(capability.key)
    return this.#capabilities.get(capability.key) as T
  }

  /**
   * A host handle to a function that library VM code registered with `__vmm_expose(name, fn)`.
   * Calls copy arguments in and the result out; VM throws reject with VMScriptError.
   */
  getVmFunction(name: string): VMFunction {
    return (...args: unknown[]) => {
      try {
        const { bridge } = this.#requireReady(`call VM function '${name}'`)
        if (!this.#vmFunctions.has(name)) throw new VMInvalidArgumentError(`No VM function '${name}' was registered with __vmm_expose during initialize()`)
        const copied = copyArgsForVm(args, name, [BRIDGE.exported, name])
        // Straight in, not queued behind runs and calls: libraries time these (measure's pings).
        return bridge.apply(undefined, copied, this.#resultOptions).then(
          (envelope) => {
            if (!isSuccessEnvelope(envelope)) throw envelopeError(envelope)
            if (!this.#mayShare) return envelope.v
            const copied = this.#fromVm(envelope.v, `VM function '${name}' result`)
            if (copied instanceof VMTransferError) throw copied
            return copied
          },
          (cause) => {
            throw this.#failure(cause)
          },
        )
      } catch (error) {
        return Promise.reject(error)
      }
    }
  }

  /**
   * Runs core's VM side with the factory arguments #prepareReferences made: the libraries'
   * references to install and the baseline for attributing the globals their VM code defines (see
   * #evaluateLibraryCodes): none without library code, every global when more than one library
   * has code, the owned ones when one has.
   */
  #bootstrap(script: ivm.Script, context: ivm.Context, { factoryArgs }: PreparedReferences): ivm.Reference {
    const factory = script.runSync(context, { reference: true }) as ivm.Reference
    const bridge = factory.applySync(undefined, factoryArgs, { result: { reference: true } }) as ivm.Reference
    factory.release()
    script.release()
    return bridge
  }

  #bootstrapCall(op: 'changes' | 'seal', args: unknown[] = []): unknown {
    const { bridge } = this.#requireAlive()
    return bridge.applySync(undefined, [BRIDGE.admin, op, ...args])
  }

  /**
   * The host half of installing every library's references (no isolate needed): who owns which
   * global, the spec the VM side installs from, data values and host targets.
   */
  #prepareReferences(collected: Array<{ library: VMLibrary; references: Record<string, unknown> }>, codedCount: number): PreparedReferences {
    const owners = new Map<string, VMLibrary>()
    const spec: unknown[] = []
    const values: unknown[] = []
    const targets: unknown[] = []
    for (const { library, references } of collected) {
      if (typeof references !== 'object' || references === null) throw new VMInvalidArgumentError(`${library.name}.getReferences() must return an object`)
      for (const [name, value] of Object.entries(references)) {
        const previous = owners.get(name)
        if (previous) throw new VMLibraryConflictError(`${previous.name} and ${library.name} both define the VM global '${name}'; rename one`)
        owners.set(name, library)
        if (isVMScript(value)) {
          spec.push([SPEC.script, name, this.#scripts.push(value) - 1])
          continue
        }
        if (typeof value === 'function' || isHostFunction(value)) {
          const host = toHostFunction(value as HostFunction)
          spec.push([SPEC.host, name, host.mode, targets.length])
          targets.push(this.#hostTarget(name, host, library))
          continue
        }
        if (isJsonExact(value)) {
          spec.push([SPEC.json, name, value])
          continue
        }
        const { data, functions } = extractFunctions(compactViews(value))
        const nested = functions.map(([path, fn]) => {
          if (isVMScript(fn)) return [path, this.#scripts.push(fn) - 1, 'script']
          targets.push(this.#hostTarget(path.join('.'), toHostFunction(fn), library, 'sync'))
          return [path, targets.length - 1]
        })
        try {
          new ivm.ExternalCopy(data).release()
        } catch (cause) {
          throw transferErrorFor(value, name, cause)
        }
        spec.push([SPEC.value, name, values.push(data) - 1, nested])
      }
    }
    // Everything the factory takes is made here, before the context is ready: host work that
    // overlaps the isolate's.
    const deliver = new ivm.Callback((id: number, envelope: Envelope) => this.#deliver(id, envelope), { ignored: true })
    const compat = compatCallback(() => this.#requireAlive(), this.#scripts, () => {
      this.#mayShare = true
    })
    const baseline = codedCount === 0 ? undefined : codedCount > 1 ? null : JSON.stringify([...owners.keys()])
    return { owners, factoryArgs: [deliver, compat, JSON.stringify(spec), baseline, values.length === 0 ? undefined : copyForVm(values, 'references'), ...targets] }
  }

  /**
   * Evaluates each library's VM code and, with `check`, attributes the globals it adds or replaces
   * to it, so two libraries defining one global fail. Scanning every global costs ~0.1 ms in a
   * fresh isolate, so a full scan runs only where a later library's code could still collide with
   * what this one defined; after the last library's code, only the globals owned so far need a
   * look, which `seal` does in the same call that ends setup.
   */
  #evaluateLibraryCodes(coded: Array<{ library: VMLibrary; outcome: Settled<ivm.Script> }>, owners: Map<string, VMLibrary>, check: boolean): void {
    for (const [index, { library, outcome }] of coded.entries()) {
      const { context } = this.#requireAlive()
      try {
        if (!outcome.ok) throw outcome.error
        outcome.value.runSync(context, this.#applyOptions)
        outcome.value.release()
      } catch (cause) {
        const failure = this.#failure(cause)
        if (!(failure instanceof VMScriptError)) throw failure
        throw new VMScriptError({ name: failure.vmName, message: `${library.name}.getVmCode() failed in the VM: ${failure.message}`, stack: failure.vmStack })
      }
      if (check && index < coded.length - 1) this.#attribute(library, JSON.parse(this.#bootstrapCall('changes') as string) as string[], owners)
    }
    const last = check ? coded[coded.length - 1] : undefined
    const sealed = this.#bootstrapCall('seal', last ? [JSON.stringify([...owners.keys()])] : []) as string
    const [changed, exported] = JSON.parse(sealed) as [string[], string[]]
    if (last) this.#attribute(last.library, changed, owners)
    this.#vmFunctions = new Set(exported)
  }

  #attribute(library: VMLibrary, changed: string[], owners: Map<string, VMLibrary>): void {
    for (const name of changed) {
      const previous = owners.get(name)
      if (previous && previous !== library) throw new VMLibraryConflictError(`${previous.name} and ${library.name} both define the VM global '${name}'; rename one`)
      owners.set(name, library)
    }
  }

  #hostTarget(name: string, host: HostFunction, library: VMLibrary, mode = host.mode): ivm.Callback | ivm.Reference {
    const fn = host.fn
    // Arguments come from the VM: shared memory in them is copied first (see fromVm).
    const input = (args: unknown[]) => (this.#mayShare ? argsFromVm(args) : args)
    const report = (error: unknown) => library.onError?.(error instanceof Error ? error : new Error(String(error)))
    switch (mode) {
      case 'async':
        return new ivm.Callback(
          (id: number, ...args: unknown[]) => {
            let result: unknown
            try {
              result = fn(...input(args))
            } catch (error) {
              this.#reply(id, false, hostErrorInfo(error), name)
              return
            }
            if (!isThenable(result)) this.#reply(id, true, result, `${name}() result`)
            else
              result.then(
                (value) => this.#reply(id, true, value, `${name}() result`),
                (error) => this.#reply(id, false, hostErrorInfo(error), name),
              )
          },
          { ignored: true },
        )
      case 'ignored':
        return new ivm.Callback(
          (...args: unknown[]) => {
            try {
              const result = fn(...input(args))
              if (isThenable(result)) Promise.resolve(result).catch(report)
            } catch (error) {
              report(error)
            }
          },
          { ignored: true },
        )
      case 'blocking':
        // The value itself is the answer (primitives as they are, objects copied); a failure
        // throws a marked error carrying the error info, which the VM side rebuilds — so no
        // envelope has to be copied on the hot path.
        // A function that returns a plain value answers within the same host task; a promise
        // costs isolated-vm another round through the host's microtasks (~3 µs per call).
        return new ivm.Reference((...args: unknown[]) => {
          let result: unknown
          try {
            result = fn(...input(args))
          } catch (error) {
            throw blockingError(error)
          }
          if (isThenable(result)) return Promise.resolve(result).then((value) => blockingValue(name, value), (error) => {
            throw blockingError(error)
          })
          return blockingValue(name, result)
        })
      default:
        return new ivm.Callback((...args: unknown[]): Envelope => {
          try {
            const result = fn(...input(args))
            if (!isThenable(result)) return { t: 0, v: compactViews(result) }
            const id = this.#nextId++
            Promise.resolve(result).then(
              (value) => this.#reply(id, true, value, `${name}() result`),
              (error) => this.#reply(id, false, hostErrorInfo(error), name),
            )
            return { t: 2, id }
          } catch (error) {
            return { t: 1, e: hostErrorInfo(error) }
          }
        })
    }
  }

  /** Settles the VM's promise for host call `id`: a value (`ok`) or error info. */
  #reply(id: number, ok: boolean, payload: unknown, where: string): void {
    const bridge = this.#bridge
    if (!bridge || this.#state === 'disposed') return
    let copied: unknown
    try {
      copied = copyForVm(payload, where)
    } catch (error) {
      ok = false
      copied = copyForVm(hostErrorInfo(transferErrorFor(payload, where, error)), where)
    }
    bridge.apply(undefined, [BRIDGE.settle, id, ok, copied], this.#applyOptions).catch((cause) => this.#failure(cause))
  }

  #deliver(id: number, envelope: unknown): void {
    if (isSuccessEnvelope(envelope)) {
      const copied = this.#mayShare ? this.#fromVm(envelope.v, 'result') : envelope.v
      if (copied instanceof VMTransferError) this.#settle(id, undefined, copied)
      else this.#settle(id, copied)
    } else {
      this.#settle(id, undefined, envelopeError(envelope))
    }
  }

  /** fromVm, or the VMTransferError saying why `value` cannot reach the host (a shared WebAssembly memory). */
  #fromVm(value: unknown, where: string): unknown {
    try {
      return fromVm(value)
    } catch (cause) {
      return new VMTransferError(where, cause instanceof Error ? cause.message : String(cause), { cause })
    }
  }

  #settle(id: number, value: unknown, error?: Error): void {
    const task = this.#pending.get(id)
    if (!task) return
    this.#pending.delete(id)
    if (error) this.#finish(task, false, error)
    else this.#finish(task, true, value)
  }

  /** Turns a rejected isolated-vm task into a typed error; kills the VM when the cause is fatal. */
  /**
   * `compiling`: the task compiled code (run's closure), so a SyntaxError is that code's own error;
   * elsewhere a SyntaxError is a value the VM left unhandled, like any other.
   */
  #failure(cause: unknown, reportUnhandled = true, compiling = false): VMError {
    if (cause instanceof VMError) return cause
    if (this.#deathReason) return this.#deathReason
    const failure = classifyTaskFailure(cause, {
      disposed: this.#state === 'disposed',
      isolateDisposed: this.#isolate?.isDisposed ?? false,
      memoryLimit: this.#memoryLimit,
      timeout: this.#options.timeout ?? 0,
    })
    if (failure.kind === 'timeout' || failure.kind === 'memory' || failure.kind === 'isolate') {
      this.terminate(failure.error)
      return failure.error
    }
    const compileError = compiling && isCompileError(cause)
    if (reportUnhandled && failure.kind === 'unhandled' && this.#state !== 'initializing' && !compileError) this.reportError(failure.error)
    if (compileError || this.#state === 'initializing') {
      const error = cause as Error
      return new VMScriptError({ name: error.name, message: error.message, stack: error.stack })
    }
    return failure.error
  }

  #reportDisposeError(library: VMLibrary, error: unknown): void {
    const wrapped = new VMStateError(`${library.name}.dispose() threw: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
    this.reportError(wrapped)
  }

  #safely(fn: (() => void) | undefined): void {
    if (!fn) return
    try {
      const result = fn() as unknown
      if (isThenable(result)) Promise.resolve(result).catch((error) => warnCallback(error))
    } catch (error) {
      warnCallback(error)
    }
  }

  #requireReady(action: string): { isolate: ivm.Isolate; context: ivm.Context; bridge: ivm.Reference } {
    if (this.#state === 'disposed') throw this.#deathReason ?? new VMDisposedError(action)
    if (this.#state !== 'ready') throw new VMNotInitializedError(action)
    return this.#requireAlive()
  }

  #requireAlive(): { isolate: ivm.Isolate; context: ivm.Context; bridge: ivm.Reference } {
    if (!this.#isolate || !this.#context || !this.#bridge) throw new VMDisposedError()
    return { isolate: this.#isolate, context: this.#context, bridge: this.#bridge }
  }

  #assertInitializing(): void {
    if (this.#state !== 'initializing') throw this.#deathReason ?? new VMDisposedError('finish initialize()')
  }
}

const RESOLVED = Promise.resolve()

interface PreparedReferences {
  owners: Map<string, VMLibrary>
  /**
   * The arguments of core's VM-side factory: the host's deliver and compat callbacks, the install
   * spec as JSON (see install in vmCode.ts), the baseline for attributing globals, the data values
   * (copied; undefined when there are none), then the host targets.
   */
  factoryArgs: unknown[]
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown }

/** `promise`'s outcome as a value: awaited later, a failure is never an unhandled rejection. */
function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  )
}

/** `promise` itself, marked handled: it may be dropped unawaited when initialize() fails early. */
function quiet<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {})
  return promise
}

/** Whether JSON carries `value` exactly (so it can travel inside the install spec). */
function isJsonExact(value: unknown): boolean {
  return value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0))
}

/**
 * A run or call on its way into the VM and back, and its entry in the VM's deadline list. The VM
 * function cannot be cancelled: after a timeout or abort it runs on and its late outcome is dropped.
 */
class Task implements Deadline {
  resolve!: (value: unknown) => void
  reject!: (error: unknown) => void
  done = false
  at = 0
  prev: Deadline | undefined = undefined
  next: Deadline | undefined = undefined
  timeout = 0
  signal: AbortSignal | undefined = undefined
  onAbort: (() => void) | undefined = undefined

  /**
   * `input`: the bridge arguments of a call (`[BRIDGE.invoke, id, acks, name, ...args]`), or the
   * closure source of a run (then `filename` names it, and `sync` tells a plain function's wrapper
   * from an async function's).
   */
  constructor(
    readonly id: number,
    readonly name: string,
    readonly input: unknown[] | string,
    readonly filename?: string,
    readonly sync = false,
  ) {}
}

/**
 * Compositions of libraries whose globals passed the conflict check. The check scans every VM
 * global after each library's code (~0.1 ms a scan in a fresh isolate); a later VM of the same
 * composition — the same libraries with the same reference names and VM code, in the same order —
 * runs the same code over the same globals, so it reuses the result instead. Primitive data
 * references count with their values; a composition with object data references is checked in
 * every VM.
 */
interface CompositionNode {
  next: Map<string, CompositionNode>
  checked: boolean
}
// A trie over the parts of compositions: the long part, a library's code, is looked up as it is,
// so its hash is the one compileCached computes anyway.
let checkedCompositions: CompositionNode = { next: new Map(), checked: false }
let compositionCount = 0
const MAX_COMPOSITIONS = 64

/** The parts of a composition, for checkedCompositions; undefined when it is checked every time. */
function compositionOf(collected: ReadonlyArray<{ library: VMLibrary; references: Record<string, unknown>; code: string }>): string[] | undefined {
  const parts: string[] = []
  for (const { library, references, code } of collected) {
    if (typeof references !== 'object' || references === null) return undefined
    // Each item prefixed with its length: unambiguous without escaping.
    let header = `${library.name.length}:${library.name}`
    for (const [name, value] of Object.entries(references)) {
      let kind: string
      if (typeof value === 'function' || isHostFunction(value) || isVMScript(value)) kind = 'f'
      else if (value === null || typeof value !== 'object') kind = `${typeof value} ${Object.is(value, -0) ? '-0' : String(value)}`
      else return undefined
      header += `${name.length}:${name}${kind.length}:${kind}`
    }
    parts.push(header, code)
  }
  return parts
}

function isChecked(parts: readonly string[]): boolean {
  let node: CompositionNode | undefined = checkedCompositions
  for (const part of parts) {
    node = node.next.get(part)
    if (!node) return false
  }
  return node.checked
}

function rememberComposition(parts: readonly string[]): void {
  if (compositionCount >= MAX_COMPOSITIONS) {
    checkedCompositions = { next: new Map(), checked: false }
    compositionCount = 0
  }
  let node = checkedCompositions
  for (const part of parts) {
    let next = node.next.get(part)
    if (!next) node.next.set(part, (next = { next: new Map(), checked: false }))
    node = next
  }
  if (!node.checked) compositionCount++
  node.checked = true
}

/** A blocking host function's failure, as the marked error the VM side rebuilds. */
function blockingError(error: unknown): Error {
  return new Error(CALL_ERROR + JSON.stringify(hostErrorInfo(error)))
}

/** A blocking host function's value for the VM: primitives as they are, objects copied. */
function blockingValue(name: string, result: unknown): unknown {
  let value: unknown
  try {
    value = compactViews(result)
  } catch (error) {
    throw blockingError(error)
  }
  if (passesAsIs(value)) return value
  try {
    return new ivm.ExternalCopy(value).copyInto({ release: true })
  } catch (cause) {
    throw blockingError(transferErrorFor(value, `${name}() result`, cause))
  }
}

function flatten(libraries: readonly VMLibrary[], out: VMLibrary[] = [], seen = new Set<VMLibrary>()): VMLibrary[] {
  for (const library of libraries) {
    if (seen.has(library)) throw new VMLibraryConflictError(`${library.name} appears twice in this VM; pass each library once`)
    seen.add(library)
    out.push(library)
    if (isVMLibraryGroup(library)) {
      const children = library.getLibraries()
      if (!Array.isArray(children)) throw new VMInvalidArgumentError(`${library.name}.getLibraries() must return an array`)
      children.forEach((child, index) => {
        if (!isVMLibrary(child)) throw new VMInvalidArgumentError(`${library.name}.getLibraries()[${index}] is not a VMLibrary (got ${describe(child)})`)
      })
      flatten(children, out, seen)
    }
  }
  return out
}

/** The largest timeout isolated-vm (and Node's timers) take: 2^31 − 1 ms. */
const MAX_TIMEOUT = 2 ** 31 - 1

/** `signal` is undefined or an AbortSignal (anything with `aborted` and `addEventListener`). */
function assertSignal(signal: unknown, where: string): void {
  if (signal === undefined) return
  const candidate = signal as { aborted?: unknown; addEventListener?: unknown } | null
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.aborted !== 'boolean' || typeof candidate.addEventListener !== 'function') {
    throw new VMInvalidArgumentError(`${where}: signal must be an AbortSignal; got ${describe(signal)}`)
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

const CALL_ERROR = '\u0000vm-machine:call-error:'

/** The error envelope core's VM side encodes into the message of a failed call, if this is one. */
function callErrorEnvelope(cause: unknown): unknown {
  if (!(cause instanceof Error) || typeof cause.message !== 'string' || !cause.message.startsWith(CALL_ERROR)) return undefined
  try {
    // Whatever it holds, a marked error is the call's own failure (envelopeError checks the shape).
    return JSON.parse(cause.message.slice(CALL_ERROR.length)) ?? {}
  } catch {
    return {}
  }
}

function isCloneFailure(cause: unknown): boolean {
  return cause instanceof Error && cause.name === 'TypeError' && / could not be cloned\.$/.test(cause.message)
}

/**
 * A value nested too deeply for isolated-vm's serializer. Unlike a RangeError of VM code, it has no
 * frames of the VM (no isolated-vm boundary in its stack). Recovery cannot help: handing the value
 * over through the deliver channel fails the same way, silently.
 */
function isTooDeepToCopy(cause: unknown): boolean {
  return cause instanceof Error && cause.name === 'RangeError' && cause.message === 'Maximum call stack size exceeded' && !String(cause.stack).includes('<isolated-vm')
}

function isCompileError(cause: unknown): boolean {
  return cause instanceof Error && cause.name === 'SyntaxError'
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'null prototype'})`
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`
  return `${typeof value} ${String(value)}`
}

let warnedCallback = false
function warnCallback(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error)
  process.emitWarning(`A VM callback (onError, onEnd, onDispose or onCatastrophicError) threw: ${message}`, {
    code: 'VM_ERR_CALLBACK_THREW',
    detail: warnedCallback ? undefined : 'vm-machine contains errors thrown by its callbacks so that they never crash the host.',
  })
  warnedCallback = true
}
