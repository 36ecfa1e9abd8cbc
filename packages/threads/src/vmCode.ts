/** `startThread` and thread handles in a VM that has a VMThreadLibrary. */
export const parentVmCode = /* js */ `(function () {
  'use strict'
  const start = globalThis.__vmm_threads_start
  const callThread = globalThis.__vmm_threads_call
  const stop = globalThis.__vmm_threads_dispose
  delete globalThis.__vmm_threads_start
  delete globalThis.__vmm_threads_call
  delete globalThis.__vmm_threads_dispose
  const defineProperty = Object.defineProperty
  const freeze = Object.freeze
  const states = new Map()
  const reserved = new Set(['then', 'threadId', 'isDisposed', 'dispose', '__proto__'])
  if (!('isThread' in globalThis)) globalThis.isThread = false

  function disposedError(threadId) {
    const error = new Error('Thread ' + threadId + ' is disposed')
    error.name = 'VMDisposedError'
    error.code = 'VM_ERR_DISPOSED'
    return error
  }

  globalThis.startThread = async function startThread(source) {
    const info = await start(source)
    const state = { disposed: false }
    states.set(info.threadId, state)
    const handle = {}
    for (const name of info.names) {
      if (reserved.has(name)) continue
      handle[name] = (...args) => (state.disposed ? Promise.reject(disposedError(info.threadId)) : callThread(info.threadId, name, args))
    }
    defineProperty(handle, 'threadId', { value: info.threadId, enumerable: true })
    defineProperty(handle, 'isDisposed', { get: () => state.disposed, enumerable: true })
    defineProperty(handle, 'dispose', {
      value: () => {
        if (state.disposed) return
        state.disposed = true
        states.delete(info.threadId)
        stop(info.threadId)
      },
    })
    return freeze(handle)
  }

  __vmm_expose('threads.died', (threadId) => {
    const state = states.get(threadId)
    if (state) state.disposed = true
    states.delete(threadId)
  })
})()`

/** host, isThread and the watchdog ping inside a thread VM. */
export const threadVmCode = /* js */ `(function () {
  'use strict'
  const call = globalThis.__vmm_thread_host
  const names = globalThis.__vmm_thread_host_names
  const threadId = globalThis.__vmm_thread_id
  delete globalThis.__vmm_thread_host
  delete globalThis.__vmm_thread_host_names
  delete globalThis.__vmm_thread_id
  const host = {}
  for (const name of names) host[name] = (...args) => call(name, args)
  globalThis.host = Object.freeze(host)
  globalThis.isThread = threadId
  __vmm_expose('threads.ping', () => true)
})()`
