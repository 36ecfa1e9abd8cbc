import { VMConsoleLibrary, defaultConsoleWriter } from '@vm-machine/console'
import { createTestVM, waitFor } from '@vm-machine/test-utils'
import { describe, expect, it, vi } from 'vitest'

function recorder() {
  const lines: Array<[string, unknown[]]> = []
  const lib = new VMConsoleLibrary((level, ...args) => lines.push([level, args]))
  return { lib, lines }
}

describe('VMConsoleLibrary', () => {
  it('sends every console method to writeLog with its level, in order', async () => {
    const { lib, lines } = recorder()
    const vm = await createTestVM([lib])
    await vm.run(`
      console.log('Info message', 1);
      console.info('info');
      console.warn('Warning message');
      console.error('Error message');
      console.debug('debug');
      console.dir({ a: 1 });
      console.table([{ a: 1 }]);
    `)
    await waitFor(() => lines.length === 7)
    expect(lines).toEqual([
      ['log', ['Info message', 1]],
      ['info', ['info']],
      ['warn', ['Warning message']],
      ['error', ['Error message']],
      ['debug', ['debug']],
      ['dir', [{ a: 1 }]],
      ['table', [[{ a: 1 }]]],
    ])
  })

  it('works with methods taken off the console, which has them as its own and nothing else', async () => {
    const { lib, lines } = recorder()
    const vm = await createTestVM([lib])
    const shape = await vm.run(`
      const { log, warn } = console
      log('taken'); warn.call(undefined, 'called'); [1, 2].forEach(console.info)
      return { names: Object.getOwnPropertyNames(console).sort(), proto: Object.getPrototypeOf(console) === Object.prototype, ctor: console.constructor === Object, logName: console.log.name }
    `)
    await waitFor(() => lines.length === 4)
    expect(lines).toEqual([
      ['log', ['taken']],
      ['warn', ['called']],
      ['info', [1, 0, [1, 2]]],
      ['info', [2, 1, [1, 2]]],
    ])
    expect(shape).toEqual({
      names: ['assert', 'count', 'countReset', 'debug', 'dir', 'error', 'group', 'groupCollapsed', 'groupEnd', 'info', 'log', 'table', 'time', 'timeEnd', 'timeLog', 'trace', 'warn'],
      proto: true,
      ctor: true,
      logName: 'log',
    })
  })

  it('is a non-enumerable, writable global built on first use, which VM code can replace', async () => {
    const { lib, lines } = recorder()
    const vm = await createTestVM([lib])
    expect(await vm.run('return Object.keys(globalThis).includes("console")')).toBe(false)
    expect(await vm.run('const d = Object.getOwnPropertyDescriptor(globalThis, "console"); return [d.enumerable, d.configurable, typeof console.log]')).toEqual([false, true, 'function'])
    expect(await vm.run('const d = Object.getOwnPropertyDescriptor(globalThis, "console"); return [d.writable, d.enumerable, console === globalThis.console]')).toEqual([true, false, true])
    const other = await createTestVM([new VMConsoleLibrary(() => lines.push(['other', []]))])
    expect(await other.run('globalThis.console = { log: () => "own" }; return console.log()')).toBe('own')
    await vm.run('console.log("after")')
    await waitFor(() => lines.length === 1)
    expect(lines).toEqual([['log', ['after']]])
  })

  it('keeps order across many calls', async () => {
    const { lib, lines } = recorder()
    const vm = await createTestVM([lib])
    await vm.run('for (let i = 0; i < 500; i++) console.log(i)')
    await waitFor(() => lines.length === 500)
    expect(lines.map(([, args]) => args[0])).toEqual(Array.from({ length: 500 }, (_, i) => i))
  })

  it('copies plain arguments as they are, cyclic structures included', async () => {
    const { lib, lines } = recorder()
    const vm = await createTestVM([lib])
    await vm.run('const a = { name: "a", when: new Date(0) }; a.self = a; console.log(a, [1, 2], null, undefined)')
    await waitFor(() => lines.length === 1)
    const [, [first, list, nul, undef]] = lines[0] as [string, [Record<string, unknown>, unknown, unknown, unknown]]
    expect(first.self).toBe(first)
    expect(first.when).toEqual(new Date(0))
    expect([list, nul, undef]).toEqual([[1, 2], null, undefined])
  })

  it('renders values that cannot be copied instead of crashing the VM', async () => {
    const { lib, lines } = recorder()
    const vm = await createTestVM([lib])
    const result = await vm.run(`
      function named() {}
      const cyclic = { f: named }; cyclic.me = cyclic
      console.log(named, Symbol('s'), { nested: { fn: () => 1, p: Promise.resolve() } }, cyclic, new Error('oops'))
      return 'still running'`)
    expect(result).toBe('still running')
    await waitFor(() => lines.length === 1)
    const [level, args] = lines[0] as [string, unknown[]]
    expect(level).toBe('log')
    expect(args[0]).toBe('[Function: named]')
    expect(args[1]).toBe('Symbol(s)')
    expect(args[2]).toEqual({ nested: { fn: '[Function: fn]', p: '[Promise]' } })
    expect(args[3]).toEqual({ f: '[Function: named]', me: '[Circular]' })
    expect(args[4]).toMatchObject({ name: 'Error', message: 'oops' })
  })

  it('adds the VM stack to trace and supports assert, count, time and group', async () => {
    const { lib, lines } = recorder()
    const vm = await createTestVM([lib])
    await vm.run(`
      console.trace('here')
      console.assert(true, 'not shown')
      console.assert(false, 'shown')
      console.count(); console.count()
      console.time('t'); console.timeEnd('t')
      console.group('g'); console.log('inside'); console.groupEnd(); console.log('outside')
    `, { filename: 'trace.js' })
    await waitFor(() => lines.length === 8)
    expect(lines[0]?.[0]).toBe('trace')
    expect(String(lines[0]?.[1][1])).toMatch(/trace\.js:2/)
    expect(lines[1]).toEqual(['error', ['Assertion failed:', 'shown']])
    expect(lines.slice(2, 4)).toEqual([['log', ['default: 1']], ['log', ['default: 2']]])
    expect(String(lines[4]?.[1][0])).toMatch(/^t: \d+ms$/)
    expect(lines.slice(5)).toEqual([['log', ['g']], ['log', ['  inside']], ['log', ['outside']]])
  })

  it('keeps non-string values intact inside a group and never throws on a value it cannot read', async () => {
    const { lib, lines } = recorder()
    const vm = await createTestVM([lib])
    expect(await vm.run(`
      console.group('g')
      console.log({ a: 1 }, [1, 2])
      console.log(Object.create(null))
      console.log('text', 1)
      console.log()
      console.groupEnd()
      console.log(new Proxy({}, { ownKeys() { throw new Error('trap') }, getPrototypeOf() { throw new Error('trap') } }), 'after')
      return 'done'`)).toBe('done')
    await waitFor(() => lines.length === 6)
    expect(lines).toEqual([
      ['log', ['g']],
      ['log', [' ', { a: 1 }, [1, 2]]],
      ['log', [' ', {}]],
      ['log', ['  text', 1]],
      ['log', ['  ']],
      ['log', ['[console: value could not be read]', 'after']],
    ])
  })

  it('reports a throwing writer to onError and keeps the VM running', async () => {
    const onError = vi.fn()
    const lib = new VMConsoleLibrary(() => {
      throw new Error('writer broke')
    })
    const vm = await createTestVM([lib], { onError })
    expect(await vm.run('console.log("x"); return 1')).toBe(1)
    await waitFor(() => onError.mock.calls.length === 1)
    expect(onError.mock.calls[0]?.[0].message).toBe('writer broke')
  })

  it('writes to the host console by default, errors to stderr, with a [VM] prefix', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const vm = await createTestVM([new VMConsoleLibrary()])
      await vm.run('console.log("to stdout"); console.error("to stderr"); console.warn("w"); console.trace("t")')
      await waitFor(() => error.mock.calls.length === 3)
      expect(log).toHaveBeenCalledWith('[VM]', 'to stdout')
      expect(error).toHaveBeenCalledWith('[VM]', 'to stderr')
      expect(error).toHaveBeenCalledWith('[VM]', 'w')
    } finally {
      log.mockRestore()
      error.mockRestore()
    }
    expect(typeof defaultConsoleWriter).toBe('function')
  })

  it('rejects a writer that is not a function', () => {
    expect(() => new VMConsoleLibrary('log' as never)).toThrow(TypeError)
  })

  it('hides the host writer from VM globals', async () => {
    const { lib } = recorder()
    const vm = await createTestVM([lib])
    expect(await vm.run('return Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith("__"))')).toEqual([])
  })
})
