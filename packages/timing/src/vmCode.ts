/**
 * Timers in the VM. The VM keeps callbacks and counts live timers; the host keeps the real timers
 * and calls `timing.fire(id)` when one is due.
 */
export const vmCode = /* js */ `(function () {
  'use strict'
  const schedule = globalThis.__vmm_timing_set
  const cancel = globalThis.__vmm_timing_clear
  const limitCount = globalThis.__vmm_timing_limit
  delete globalThis.__vmm_timing_set
  delete globalThis.__vmm_timing_clear
  delete globalThis.__vmm_timing_limit
  const timers = new Map()
  const apply = Reflect.apply
  let nextId = 1

  // Defined on first use: a class definition costs ~20 µs in a fresh VM, and most never need it.
  let LimitError
  function limitError(value) {
    LimitError ??= class VMLimitExceededError extends RangeError {
      constructor(value) {
        super('limitCount (' + value + ') reached: too many live timers. Clear timers the VM no longer needs or raise limitCount.')
        this.name = 'VMLimitExceededError'
        this.code = 'VM_ERR_LIMIT_EXCEEDED'
      }
    }
    return new LimitError(value)
  }

  // Functions in parentheses compile with the script, so the code cache holds them: they first run
  // when VM code sets a timer, after setup, and would otherwise be compiled then in every VM.
  const add = (function add(kind, fn, ms, args) {
    if (typeof fn !== 'function') throw new TypeError('The "callback" argument must be of type function. Received ' + (fn === null ? 'null' : typeof fn))
    if (timers.size >= limitCount) throw limitError(limitCount)
    let delay = Number(ms)
    if (!(delay >= 1 && delay <= 2147483647)) delay = kind === 'immediate' ? 0 : 1
    const id = nextId++
    timers.set(id, { fn, args, repeat: kind === 'interval' })
    schedule(id, delay, kind)
    return id
  })

  const clear = (function clear(id) {
    const key = typeof id === 'object' && id !== null ? Number(id) : id
    if (timers.delete(key)) cancel(key)
  })

  globalThis.setTimeout = (function setTimeout(fn, ms, ...args) { return add('timeout', fn, ms, args) })
  globalThis.setInterval = (function setInterval(fn, ms, ...args) { return add('interval', fn, ms, args) })
  globalThis.setImmediate = (function setImmediate(fn, ...args) { return add('immediate', fn, 0, args) })
  globalThis.clearTimeout = (function clearTimeout(id) { clear(id) })
  globalThis.clearInterval = (function clearInterval(id) { clear(id) })
  globalThis.clearImmediate = (function clearImmediate(id) { clear(id) })

  __vmm_expose('timing.fire', (function fire(id) {
    const timer = timers.get(id)
    if (timer === undefined) return
    if (!timer.repeat) timers.delete(id)
    apply(timer.fn, globalThis, timer.args)
  }))
})()`
