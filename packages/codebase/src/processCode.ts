/**
 * The sandbox `process` (VM-side JS spliced into vmCode): a plain object built on first use from
 * the library's `env` option. Nothing in it comes from the host process.
 */
export const processCode = /* js */ `
const SANDBOX_VERSION = 'v20.0.0'
function createProcess(initialEnv) {
  // A plain object, so that it copies out of the VM like Node's; assigned values are not coerced.
  const env = {}
  const keys = ObjectKeys(initialEnv)
  for (let i = 0; i < keys.length; i++) env[keys[i]] = initialEnv[keys[i]]

  const listeners = new Map()
  const on = (event, listener) => {
    if (typeof listener !== 'function') throw new TypeError('The "listener" argument must be of type function')
    const list = listeners.get(event) || []
    list.push(listener)
    listeners.set(event, list)
    return process
  }
  const off = (event, listener) => {
    const list = listeners.get(event)
    const at = list ? list.lastIndexOf(listener) : -1
    if (at !== -1) list.splice(at, 1)
    return process
  }
  const emit = (event, ...args) => {
    const list = listeners.get(event)
    if (!list || list.length === 0) return false
    for (const listener of list.slice()) apply(listener, process, args)
    return true
  }
  const writer = (level) => ({
    fd: level === 'log' ? 1 : 2,
    isTTY: false,
    writable: true,
    write(chunk, encoding, callback) {
      const text = typeof chunk === 'string' ? chunk : new (G.TextDecoder)().decode(chunk)
      const console = G.console
      if (console && typeof console[level] === 'function') console[level](text.endsWith('\\n') ? text.slice(0, -1) : text)
      const done = typeof encoding === 'function' ? encoding : callback
      if (typeof done === 'function') PromiseCtor.resolve().then(() => done())
      return true
    },
    on() { return this },
    once() { return this },
    off() { return this },
    end() {},
  })
  let last = 0
  const now = () => (last = Math.max(last, DateCtor.now()))
  const started = now()
  function hrtime(previous) {
    const ms = now()
    let seconds = Math.floor(ms / 1000)
    let nanos = (ms % 1000) * 1e6
    if (previous) {
      seconds -= previous[0]
      nanos -= previous[1]
      if (nanos < 0) {
        seconds--
        nanos += 1e9
      }
    }
    return [seconds, nanos]
  }
  hrtime.bigint = () => BigInt(now()) * 1000000n

  const process = {
    title: 'vm-machine',
    env,
    argv: [],
    argv0: 'node',
    execArgv: [],
    platform: 'linux',
    arch: 'x64',
    version: SANDBOX_VERSION,
    versions: { node: SANDBOX_VERSION.slice(1) },
    release: { name: 'node' },
    exitCode: undefined,
    stdout: writer('log'),
    stderr: writer('error'),
    cwd: () => '/',
    chdir() {
      const error = new ErrorCtor('process.chdir() is not supported in the sandbox; the working directory is always /')
      error.code = 'ERR_WORKER_UNSUPPORTED_OPERATION'
      throw error
    },
    umask: () => 0o22,
    uptime: () => (now() - started) / 1000,
    hrtime,
    memoryUsage: () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 }),
    cpuUsage: () => ({ user: 0, system: 0 }),
    nextTick(callback, ...args) {
      if (typeof callback !== 'function') {
        const error = new TypeError('The "callback" argument must be of type function')
        error.code = 'ERR_INVALID_ARG_TYPE'
        throw error
      }
      PromiseCtor.resolve().then(() => apply(callback, undefined, args))
    },
    emitWarning(warning, type, code) {
      const options = type !== null && typeof type === 'object' ? type : { type, code }
      const error = typeof warning === 'string' ? new ErrorCtor(warning) : warning
      if (typeof warning === 'string') {
        error.name = typeof options.type === 'string' ? options.type : 'Warning'
        if (options.code !== undefined) error.code = options.code
      }
      if (!emit('warning', error)) process.stderr.write('(vm-machine) ' + error.name + ': ' + error.message + '\\n')
    },
    exit(code) {
      const exitCode = code === undefined ? (process.exitCode === undefined ? 0 : Number(process.exitCode)) : Number(code)
      const error = new ErrorCtor('process.exit(' + exitCode + ') was called: in the sandbox it throws instead of ending the process')
      error.name = 'VMProcessExitError'
      error.code = 'VM_ERR_PROCESS_EXIT'
      error.exitCode = exitCode
      throw error
    },
    abort() { process.exit(134) },
    kill() {
      const error = new ErrorCtor('process.kill() is not supported in the sandbox')
      error.code = 'ERR_WORKER_UNSUPPORTED_OPERATION'
      throw error
    },
    on,
    addListener: on,
    prependListener: on,
    once(event, listener) {
      const wrapped = (...args) => {
        off(event, wrapped)
        apply(listener, process, args)
      }
      return on(event, wrapped)
    },
    off,
    removeListener: off,
    removeAllListeners(event) {
      if (event === undefined) listeners.clear()
      else listeners.delete(event)
      return process
    },
    emit,
    listeners: (event) => (listeners.get(event) || []).slice(),
    listenerCount: (event) => (listeners.get(event) || []).length,
    setMaxListeners() { return process },
    getMaxListeners: () => 10,
  }
  return process
}
`
