/**
 * The VM's console. Each call is one fire-and-forget host call (never a round trip). Arguments are
 * sent as they are; only when structured clone refuses them (functions, symbols, promises…) are
 * they rendered to strings, so the common path pays nothing extra.
 */
export const vmCode = /* js */ `(function () {
  'use strict'
  const write = globalThis.__vmm_console_write
  delete globalThis.__vmm_console_write
  const apply = Reflect.apply
  const isArray = Array.isArray
  const ObjectKeys = Object.keys
  const getPrototypeOf = Object.getPrototypeOf
  const ErrorCtor = Error
  const now = Date.now
  const MapCtor = Map

  function render(value, seen, depth) {
    const type = typeof value
    if (type === 'function') return '[Function: ' + (value.name || '(anonymous)') + ']'
    if (type === 'symbol') return apply(Symbol.prototype.toString, value, [])
    if (type === 'bigint' || value === null || type !== 'object') return value
    if (seen.has(value)) return '[Circular]'
    if (depth > 8) return '[Object]'
    if (value instanceof ErrorCtor) return { name: value.name, message: value.message, stack: value.stack }
    if (value instanceof Promise) return '[Promise]'
    if (value instanceof WeakMap || value instanceof WeakSet) return '[' + (value instanceof WeakMap ? 'WeakMap' : 'WeakSet') + ']'
    if (value instanceof Date || value instanceof RegExp || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value
    seen.add(value)
    let out
    if (isArray(value)) {
      out = []
      for (let i = 0; i < value.length; i++) out.push(render(value[i], seen, depth + 1))
    } else if (value instanceof MapCtor) {
      out = new MapCtor()
      for (const [k, v] of value) out.set(render(k, seen, depth + 1), render(v, seen, depth + 1))
    } else if (value instanceof Set) {
      out = new Set()
      for (const v of value) out.add(render(v, seen, depth + 1))
    } else {
      out = {}
      const keys = ObjectKeys(value)
      for (let i = 0; i < keys.length; i++) {
        let item
        try { item = value[keys[i]] } catch (error) { item = '[Getter threw]' }
        out[keys[i]] = render(item, seen, depth + 1)
      }
    }
    seen.delete(value)
    return out
  }

  // In parentheses: compiled with the script, so the code cache holds it (it first runs when VM
  // code logs, after setup).
  const send = (function send(level, args) {
    try {
      write(level, args)
    } catch (notCloneable) {
      const rendered = []
      for (let i = 0; i < args.length; i++) {
        // A Proxy whose traps throw, say: that value is replaced, the call still logs.
        try {
          rendered.push(render(args[i], new Set(), 0))
        } catch (unreadable) {
          rendered.push('[console: value could not be read]')
        }
      }
      try {
        write(level, rendered)
      } catch (stillNot) {
        write(level, ['[console: arguments could not be rendered]'])
      }
    }
  })

  // The console is built on first use: most VMs never log, and in a fresh VM building it costs
  // ~30 µs. Like Node's, the global is a writable, configurable, non-enumerable property.
  // The loader is in parentheses: V8 compiles it with the script, so it is in the code cache.
  __vmm_lazy_global('console', (function () {
    const counts = new MapCtor()
    const timers = new MapCtor()
    let groupIndent = ''
    // Inside a group a leading string gets the indent; any other first value is sent as it is,
    // after the indent less one space (a writer that joins arguments with spaces lines it up).
    const withGroup = (function withGroup(args) {
      if (groupIndent === '') return args
      if (args.length === 0) return [groupIndent]
      return typeof args[0] === 'string' ? [groupIndent + args[0], ...args.slice(1)] : [groupIndent.slice(1), ...args]
    })

    function group(args) {
      if (args.length) send('log', withGroup(args))
      groupIndent += '  '
    }

    // The methods are a class body's: V8 creates them in one step, where an object literal of 19
    // functions costs a property store each in a fresh VM (~40 µs in all). The console is the
    // class's prototype, without its constructor: own (non-enumerable) methods, none of which uses
    // \`this\`, so \`const { log } = console\` works as in Node.
    class VMConsole {
      log(...args) { send('log', withGroup(args)) }
      info(...args) { send('info', withGroup(args)) }
      warn(...args) { send('warn', withGroup(args)) }
      error(...args) { send('error', withGroup(args)) }
      debug(...args) { send('debug', withGroup(args)) }
      trace(...args) {
        const stack = new ErrorCtor().stack || ''
        const frames = stack.split('\\n').slice(2).join('\\n')
        send('trace', [...withGroup(args), 'Trace\\n' + frames])
      }
      dir(value, options) { send('dir', options === undefined ? [value] : [value, options]) }
      table(data, columns) { send('table', columns === undefined ? [data] : [data, columns]) }
      assert(condition, ...args) {
        if (!condition) send('error', ['Assertion failed' + (args.length ? ':' : ''), ...args])
      }
      count(label = 'default') {
        const n = (counts.get(label) || 0) + 1
        counts.set(label, n)
        send('log', withGroup([label + ': ' + n]))
      }
      countReset(label = 'default') { counts.delete(label) }
      time(label = 'default') { timers.set(label, now()) }
      timeLog(label = 'default', ...args) {
        if (!timers.has(label)) return send('warn', ["Timer '" + label + "' does not exist"])
        send('log', withGroup([label + ': ' + (now() - timers.get(label)) + 'ms', ...args]))
      }
      timeEnd(label = 'default') {
        if (!timers.has(label)) return send('warn', ["Timer '" + label + "' does not exist"])
        send('log', withGroup([label + ': ' + (now() - timers.get(label)) + 'ms']))
        timers.delete(label)
      }
      group(...args) { group(args) }
      groupCollapsed(...args) { group(args) }
      groupEnd() { groupIndent = groupIndent.slice(2) }
    }
    const vmConsole = VMConsole.prototype
    delete vmConsole.constructor
    return vmConsole
  }))
})()`
