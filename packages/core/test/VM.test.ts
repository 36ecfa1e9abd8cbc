import {
  VM,
  VMAbortedError,
  VMCallTimeoutError,
  VMDisposedError,
  VMError,
  VMInvalidArgumentError,
  VMMemoryLimitError,
  VMNotInitializedError,
  VMScriptError,
  VMStateError,
  VMTimeoutError,
  VMTransferError,
  VMUnhandledRejectionError,
  VMUnknownCallableError,
} from '@vm-machine/core'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createTestVM, rejectionOf, sleep, trackVM, waitFor } from '@vm-machine/test-utils'
import { describe, expect, it, vi } from 'vitest'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const built = existsSync(new URL('../dist/index.cjs', import.meta.url))

describe('new VM()', () => {
  it('rejects a memoryLimit below 8 MB at construction', () => {
    expect(() => new VM([], { memoryLimit: 4 })).toThrow(VMInvalidArgumentError)
    expect(() => new VM([], { memoryLimit: 4 })).toThrow(/at least 8/)
  })

  it.each([
    ['a non-array library list', () => new VM({} as never)],
    ['a library that is not a VMLibrary', () => new VM([{ getReferences() {} } as never])],
    ['a string memoryLimit', () => new VM([], { memoryLimit: '64' as never })],
    ['a negative timeout', () => new VM([], { timeout: -1 })],
    ['a timeout past 2^31 - 1 ms (isolated-vm would refuse every run)', () => new VM([], { timeout: 2 ** 31 })],
    ['a non-function onError', () => new VM([], { onError: 'log' as never })],
  ])('rejects %s with VMInvalidArgumentError', (_label, create) => {
    expect(create).toThrow(VMInvalidArgumentError)
  })

  it('rounds a fractional timeout up to whole milliseconds, which isolated-vm takes', async () => {
    const vm = await createTestVM([], { timeout: 250.5 })
    expect(vm.timeout).toBe(251)
    expect(await vm.run('return 1 + 1')).toBe(2)
    expect(await rejectionOf(vm.run('for (;;) {}'))).toBeInstanceOf(VMTimeoutError)
  })

  it('rejects options and signals of the wrong type with VMInvalidArgumentError', async () => {
    const vm = await createTestVM()
    await vm.run('return { f: () => 1 }')
    for (const attempt of [
      () => vm.run('return 1', null as never),
      () => vm.run('return 1', 'x' as never),
      () => vm.run('return 1', { signal: {} as never }),
      () => vm.call('f', [], null as never),
      () => vm.call('f', [], { signal: { aborted: false } as never }),
    ]) {
      expect(await rejectionOf(attempt())).toBeInstanceOf(VMInvalidArgumentError)
    }
    expect(await vm.call('f', [], { signal: new AbortController().signal })).toBe(1)
  })

  it('defaults memoryLimit to 64 MB and timeout to off', async () => {
    const vm = await createTestVM()
    expect(vm.memoryLimit).toBe(64)
    expect(vm.timeout).toBeUndefined()
    const heap = await vm.getHeapStatistics()
    expect(heap.heap_size_limit).toBeGreaterThan(32 * 1024 * 1024)
    expect(heap.heap_size_limit).toBeLessThan(160 * 1024 * 1024)
  })

  it('applies memoryLimit to the isolate heap', async () => {
    const vm = await createTestVM([], { memoryLimit: 16 })
    const heap = await vm.getHeapStatistics()
    expect(heap.heap_size_limit).toBeLessThan(48 * 1024 * 1024)
  })
})

describe('VM.initialize()', () => {
  it('throws VMStateError when called twice', async () => {
    const vm = await createTestVM()
    await expect(vm.initialize()).rejects.toBeInstanceOf(VMStateError)
  })

  it('throws VMDisposedError after dispose', async () => {
    const vm = new VM()
    vm.dispose()
    await expect(vm.initialize()).rejects.toMatchObject({ code: 'VM_ERR_DISPOSED' })
  })

  it('reports isInitialized and isDisposed', async () => {
    const vm = trackVM(new VM())
    expect(vm.isInitialized).toBe(false)
    await vm.initialize()
    expect(vm.isInitialized).toBe(true)
    vm.dispose()
    expect(vm.isDisposed).toBe(true)
    expect(vm.isInitialized).toBe(false)
  })
})

describe('VM.run()', () => {
  it('throws VMNotInitializedError before initialize()', async () => {
    const vm = trackVM(new VM())
    await expect(vm.run('return 1')).rejects.toBeInstanceOf(VMNotInitializedError)
  })

  it('runs code as an async function body and resolves with a copy of the result', async () => {
    const vm = await createTestVM()
    expect(await vm.run('const x = await Promise.resolve(20); return x + 1')).toBe(21)
    expect(await vm.run('return { list: [1, 2], when: new Date(0), map: new Map([[1, 2]]) }')).toEqual({
      list: [1, 2],
      when: new Date(0),
      map: new Map([[1, 2]]),
    })
    expect(await vm.run('1 + 1')).toBeUndefined()
  })

  it('turns function-valued properties of the result into callables and resolves with the rest', async () => {
    const vm = await createTestVM()
    const result = await vm.run('return { main: (a) => a * 2, version: 1 }')
    expect(result).toEqual({ version: 1 })
    expect(await vm.call('main', [21])).toBe(42)
  })

  it('merges callables across runs and lets the latest registration of a name win', async () => {
    const vm = await createTestVM()
    await vm.run('return { a: () => "a1", b: () => "b1" }')
    await vm.run('return { a: () => "a2" }')
    expect(await vm.call('a')).toBe('a2')
    expect(await vm.call('b')).toBe('b1')
  })

  it('keeps VM state between runs', async () => {
    const vm = await createTestVM()
    await vm.run('globalThis.counter = 1')
    expect(await vm.run('return ++counter')).toBe(2)
  })

  it('rejects a syntax error with VMScriptError and reports it to onError', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([], { onError })
    const error = await rejectionOf(vm.run('return {', { filename: 'broken.js' }))
    expect(error).toBeInstanceOf(VMScriptError)
    expect(error.vmName).toBe('SyntaxError')
    expect(onError).toHaveBeenCalledWith(error)
  })

  it('rejects a runtime error with the VM stack naming the file and line', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([], { onError })
    const error = await rejectionOf(vm.run('const a = 1\nconst b = 2\nnull.boom()', { filename: 'user.js' }))
    expect(error).toBeInstanceOf(VMScriptError)
    expect(error.code).toBe('VM_ERR_SCRIPT')
    expect(error.vmName).toBe('TypeError')
    expect(error.vmStack).toMatch(/user\.js:3:6/)
    expect(error.stack).toMatch(/user\.js:3:6/)
    expect(onError).toHaveBeenCalledTimes(1)
  })

  it('numbers columns of the first line as the user wrote them', async () => {
    const vm = await createTestVM()
    const error = await rejectionOf(vm.run('throw new Error("x")', { filename: 'first.js' }))
    expect(error.vmStack).toMatch(/first\.js:1:7/)
  })

  it('names inline runs run-<n>.js by default', async () => {
    const vm = await createTestVM()
    const error = await rejectionOf(vm.run('throw new Error("x")'))
    expect(error.vmStack).toMatch(/run-1\.js:1:/)
  })

  it('wraps a thrown non-Error with the value kept in `thrown`', async () => {
    const vm = await createTestVM()
    const error = await rejectionOf(vm.run('throw 42'))
    expect(error).toBeInstanceOf(VMScriptError)
    expect(error.thrown).toBe(42)
    expect(error.message).toMatch(/42/)
    const objectThrow = await rejectionOf(vm.run('throw { reason: "nope" }'))
    expect(objectThrow).toBeInstanceOf(VMScriptError)
  })

  it('keeps the VM error code as vmCode', async () => {
    const vm = await createTestVM()
    const error = await rejectionOf(vm.run('const e = new Error("x"); e.code = "E_MINE"; throw e'))
    expect(error.vmCode).toBe('E_MINE')
    expect(error.code).toBe('VM_ERR_SCRIPT')
  })

  it('rejects a result nested too deeply to copy with VMTransferError (sync, async, call) and keeps the VM usable', async () => {
    const vm = await createTestVM([], { onError: () => {} })
    const nest = 'let v = [1]; for (let i = 0; i < 8000; i++) v = [v]'
    await vm.run(`return { deep: async () => { ${nest}; await null; return v } }`)
    for (const pending of [vm.run(`${nest}; return v`), vm.run(`${nest}; await null; return v`), vm.call('deep')]) {
      const error = await rejectionOf(pending)
      expect(error).toBeInstanceOf(VMTransferError)
      expect(error.message).toMatch(/nested too deeply/)
    }
    expect(await vm.run('return 1 + 1')).toBe(2)
  })

  it('rejects a non-transferable result with VMTransferError naming its path', async () => {
    const vm = await createTestVM()
    const error = await rejectionOf(vm.run('return { items: [1, 2, 3, Symbol("s")] }'))
    expect(error).toBeInstanceOf(VMTransferError)
    expect(error.path).toBe('result.items[3]')
    const nested = await rejectionOf(vm.run('return { deep: { fn() {} } }'))
    expect(nested.path).toBe('result.deep.fn')
  })

  it('rejects non-string code with VMInvalidArgumentError', async () => {
    const vm = await createTestVM()
    await expect(vm.run(42 as never)).rejects.toBeInstanceOf(VMInvalidArgumentError)
  })

  it('rejects run() without code when no library provides an entry', async () => {
    const vm = await createTestVM()
    await expect(vm.run()).rejects.toBeInstanceOf(VMInvalidArgumentError)
  })

  it('treats deep recursion as an ordinary catchable RangeError', async () => {
    const onCatastrophicError = vi.fn()
    const vm = await createTestVM([], { onCatastrophicError })
    expect(await vm.run('function f() { f() } try { f() } catch (e) { return e instanceof RangeError }')).toBe(true)
    await expect(vm.run('function f() { f() } f()')).rejects.toMatchObject({ vmName: 'RangeError' })
    expect(onCatastrophicError).not.toHaveBeenCalled()
    expect(await vm.run('return "alive"')).toBe('alive')
  })

  it('calls onEnd after each run settles, failed or not', async () => {
    const onEnd = vi.fn()
    const vm = await createTestVM([], { onEnd })
    await vm.run('return 1')
    await vm.run('throw new Error()').catch(() => {})
    expect(onEnd).toHaveBeenCalledTimes(2)
  })

  it('rejects with VMAbortedError when the signal aborts, and before start when already aborted', async () => {
    const vm = await createTestVM([], { onError: () => {} })
    await expect(vm.run('return 1', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(VMAbortedError)
    await vm.run('return { wait: () => new Promise(() => {}) }')
    const controller = new AbortController()
    const running = vm.run('await new Promise(() => {})', { signal: controller.signal })
    controller.abort()
    await expect(running).rejects.toMatchObject({ code: 'VM_ERR_ABORTED' })
    expect(await vm.run('return "still usable"')).toBe('still usable')
  })
})

describe('VM globals', () => {
  it('gives every VM `global` as an alias of globalThis, with mutable intrinsics', async () => {
    const vm = await createTestVM()
    expect(await vm.run('global.Math.double = (n) => n * 2; return [global === globalThis, Math.double(4)]')).toEqual([true, 8])
  })

  it('registers callables with exposeCallables', async () => {
    const vm = await createTestVM()
    await vm.run('exposeCallables({ hello: (name) => "hi " + name })')
    expect(await vm.call('hello', ['ada'])).toBe('hi ada')
  })

  it('throws in the VM when exposeCallables gets something other than functions', async () => {
    const vm = await createTestVM()
    await expect(vm.run('exposeCallables({ x: 1 })')).rejects.toMatchObject({ vmName: 'TypeError' })
    await expect(vm.run('exposeCallables(null)')).rejects.toMatchObject({ vmName: 'TypeError' })
  })

  it('exposes no bridge internals to VM code', async () => {
    const vm = await createTestVM()
    const names = (await vm.run('return Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith("__"))')) as string[]
    expect(names).toEqual([])
    expect(await vm.run('return [typeof require, typeof process, typeof SharedArrayBuffer === "function" && typeof Atomics]')).toEqual(['undefined', 'undefined', 'object'])
    expect(await vm.run('return [typeof $0, typeof $1, arguments.length]')).toEqual(['undefined', 'undefined', 0])
  })

  it('code that closes the run wrapper early reaches neither the bridge nor the ids', async () => {
    const vm = await createTestVM()
    // Injected between the wrapper's arguments: runs after the bridge call cleared $0–$2.
    await vm.run('}), globalThis.seen = [typeof $0, typeof $1, typeof $2, typeof arguments[0], typeof arguments[1]], (async function () {')
    expect(await vm.run('return seen')).toEqual(['undefined', 'undefined', 'undefined', 'undefined', 'undefined'])
    // A hoisted declaration named like a parameter replaces the bridge before the body starts.
    await vm.run('}), 0); function $0() { globalThis.got = [...arguments].map((a) => typeof a); return (f) => f() } ((async function () {')
    expect(await vm.run('return got')).toEqual(['number', 'number', 'number', 'number'])
    expect(await vm.run('return 1 + 1')).toBe(2)
  })
})

describe('VM.call()', () => {
  it('calls sync and async VM functions alike', async () => {
    const vm = await createTestVM()
    await vm.run('return { sync: (a, b) => a + b, later: async (a) => { await null; return a } }')
    expect(await vm.call('sync', [1, 2])).toBe(3)
    expect(await vm.call('later', ['x'])).toBe('x')
  })

  it('rejects an unknown callable with VMUnknownCallableError listing the names', async () => {
    const vm = await createTestVM()
    const none = await rejectionOf(vm.call('main'))
    expect(none).toBeInstanceOf(VMUnknownCallableError)
    expect(none.available).toEqual([])
    await vm.run('return { a() {}, b() {} }')
    const error = await rejectionOf(vm.call('c'))
    expect(error.available).toEqual(['a', 'b'])
    expect(error.message).toMatch(/a, b/)
  })

  it('propagates VM throws as VMScriptError with the VM stack', async () => {
    const vm = await createTestVM()
    await vm.run('return { fail() { throw new RangeError("out") } }', { filename: 'calls.js' })
    const error = await rejectionOf(vm.call('fail'))
    expect(error).toBeInstanceOf(VMScriptError)
    expect(error.vmName).toBe('RangeError')
    expect(error.message).toBe('out')
    expect(error.vmStack).toMatch(/calls\.js:1:/)
  })

  it('rejects a non-transferable argument with VMTransferError naming it, without calling the VM', async () => {
    const vm = await createTestVM()
    await vm.run('globalThis.calls = 0; return { f: () => ++calls }')
    const error = await rejectionOf(vm.call('f', [{ ok: 1, cb: () => 1 }]))
    expect(error).toBeInstanceOf(VMTransferError)
    expect(error.path).toBe('f args[0].cb')
    expect(await vm.run('return calls')).toBe(0)
  })

  it('rejects a non-transferable result with VMTransferError', async () => {
    const vm = await createTestVM()
    await vm.run('return { f: () => ({ p: Promise.resolve(1) }) }')
    await expect(vm.call('f')).rejects.toMatchObject({ code: 'VM_ERR_TRANSFER', path: 'result.p' })
  })

  it('rejects with VMCallTimeoutError past its timeout and drops the late result', async () => {
    const vm = await createTestVM()
    await vm.run('return { slow: () => new Promise((r) => { globalThis.release = r }) }')
    const error = await rejectionOf(vm.call('slow', [], { timeout: 30 }))
    expect(error).toBeInstanceOf(VMCallTimeoutError)
    expect(error.timeout).toBe(30)
    await vm.run('release("late")')
    expect(await vm.run('return "still usable"')).toBe('still usable')
  })

  it('rejects with VMAbortedError when its signal aborts (the VM function runs on), and never starts when already aborted', async () => {
    const vm = await createTestVM()
    await vm.run('globalThis.started = 0; return { slow: () => { started++; return new Promise((r) => { globalThis.release = r }) } }')
    await expect(vm.call('slow', [], { signal: AbortSignal.abort('no') })).rejects.toBeInstanceOf(VMAbortedError)
    expect(await vm.run('return started')).toBe(0)
    const controller = new AbortController()
    const call = vm.call('slow', [], { signal: controller.signal, timeout: 10_000 })
    await waitFor(async () => (await vm.run('return started')) === 1)
    controller.abort()
    await expect(call).rejects.toMatchObject({ code: 'VM_ERR_ABORTED' })
    await vm.run('release("late")')
    expect(await vm.run('return started')).toBe(1)
  })

  it('enters the VM in the order runs and calls were made, also within one tick', async () => {
    const vm = await createTestVM()
    await vm.run('globalThis.log = []; return { note: (x) => { log.push(x) } }')
    const made = [vm.call('note', ['call 1']), vm.run('log.push("run")'), vm.call('note', ['call 2'], { timeout: 1000 }), vm.getCallableNames()]
    await Promise.all(made)
    expect(await vm.run('return log')).toEqual(['call 1', 'run', 'call 2'])
  })

  it('never starts a call aborted in the tick it was made', async () => {
    const vm = await createTestVM()
    await vm.run('globalThis.started = 0; return { work: () => { started++ } }')
    const controller = new AbortController()
    const call = vm.call('work', [], { signal: controller.signal })
    controller.abort()
    await expect(call).rejects.toBeInstanceOf(VMAbortedError)
    expect(await vm.run('return started')).toBe(0)
  })

  it('times out calls with different timeouts each at its own time', async () => {
    const vm = await createTestVM()
    await vm.run('return { hang: () => new Promise(() => {}), quick: async (x) => x }')
    const settled: string[] = []
    const track = (name: string, call: Promise<unknown>) => call.then(() => settled.push(`${name} ok`), (error) => settled.push(`${name} ${error.code}`))
    await Promise.all([
      track('long', vm.call('hang', [], { timeout: 150 })),
      track('short', vm.call('hang', [], { timeout: 20 })),
      track('quick', vm.call('quick', [1], { timeout: 20 })),
      track('huge', vm.call('quick', [2], { timeout: 2 ** 31 + 1 })),
    ])
    expect(settled).toEqual(['quick ok', 'huge ok', 'short VM_ERR_CALL_TIMEOUT', 'long VM_ERR_CALL_TIMEOUT'])
  })

  // In a child process: counting the test process's timers races with the test runner's own.
  it.runIf(built)('keeps the process alive while a call with a timeout is pending, and not after it settled', () => {
    const script = (body: string) => `const { VM } = require('@vm-machine/core'); const vm = new VM(); const t = Date.now();
      vm.initialize().then(() => vm.run('return { hang: () => new Promise(() => {}), quick: async () => 1 }')).then(() => { ${body} })`
    const run = (body: string) => {
      const started = Date.now()
      const out = execFileSync(process.execPath, ['--no-node-snapshot', '-e', script(body)], { cwd: packageDir, timeout: 20_000 }).toString().trim()
      return { out, elapsed: Date.now() - started }
    }
    // Alive until the deadline: without the timer the process would end with the call pending and print nothing.
    expect(run(`vm.call('hang', [], { timeout: 300 }).catch((e) => console.log(e.code, Date.now() - t >= 300))`).out).toBe('VM_ERR_CALL_TIMEOUT true')
    // Settled: the 60 s deadline no longer holds the process (the VM is not even disposed).
    const settled = run(`vm.call('quick', [], { timeout: 60_000 }).then((v) => console.log('settled', v))`)
    expect(settled.out).toBe('settled 1')
    expect(settled.elapsed).toBeLessThan(15_000)
  })

  it('rejects an async callable that throws at once without reporting an unhandled rejection', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([], { onError })
    await vm.run('return { boom: async () => { throw new TypeError("at once") }, thenable: () => ({ then: (_, reject) => reject(new Error("thenable")) }) }')
    await expect(vm.call('boom')).rejects.toMatchObject({ vmName: 'TypeError', message: 'at once' })
    await expect(vm.call('thenable')).rejects.toMatchObject({ message: 'thenable' })
    await sleep(20)
    expect(onError).not.toHaveBeenCalled()
  })

  it('resolves a call with a timeout that settles in time', async () => {
    const vm = await createTestVM()
    await vm.run('return { later: (x) => new Promise((r) => Promise.resolve().then(() => r(x))) }')
    expect(await vm.call('later', [5], { timeout: 10_000 })).toBe(5)
    await expect(vm.call('missing', [], { timeout: 10_000 })).rejects.toMatchObject({ code: 'VM_ERR_UNKNOWN_CALLABLE' })
  })

  it('rejects with the VM error, stack included, when an async callable or run code throws a SyntaxError while running', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([], { onError })
    await vm.run('return { parse: async (text) => JSON.parse(text) }', { filename: 'parser.js' })
    const error = await rejectionOf(vm.call('parse', ['{']))
    expect(error).toBeInstanceOf(VMScriptError)
    expect(error.vmName).toBe('SyntaxError')
    expect(error.vmStack).toMatch(/parser\.js:1:/)
    expect(error.vmStack).not.toMatch(/isolated-vm boundary|node_modules|\.ts:/)
    const runError = await rejectionOf(vm.run('await null; JSON.parse("{")', { filename: 'later.js' }))
    expect(runError.vmName).toBe('SyntaxError')
    expect(runError.vmStack).toMatch(/later\.js:1:/)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError).toHaveBeenCalledWith(runError)
  })

  it('validates name and args', async () => {
    const vm = await createTestVM()
    await expect(vm.call(1 as never)).rejects.toBeInstanceOf(VMInvalidArgumentError)
    await expect(vm.call('f', 'x' as never)).rejects.toBeInstanceOf(VMInvalidArgumentError)
  })

  it('runs many concurrent calls to completion', async () => {
    const vm = await createTestVM()
    await vm.run('return { echo: async (x) => { await null; return x } }')
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => vm.call('echo', [i])))
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => i))
  })
})

describe('VM errors the host would not otherwise see', () => {
  it('keeps errors typed and the host running when VM code bends the failure reports core sends', async () => {
    const vm = await createTestVM([], { onError: () => {} })
    await vm.run('return { fails: () => { throw new Error("nope") } }')
    const forged = ['{ t: 1 }', '{ t: 1, e: { stack: 5, message: 7, name: {} } }', "{ t: 1, unknown: 'x', names: 'abc' }", '{ t: 1, transfer: 5 }', '0', 'null', '"text"']
    for (const report of forged) {
      // Only the envelope itself is replaced (a toJSON that answers every nested object with another
      // object would only make the VM recurse until its stack overflows).
      await vm.run(`Object.prototype.toJSON = function () { return 't' in this ? ${report} : this }`)
      const fromRun = await rejectionOf(vm.run(`throw new Error('x')`))
      const fromCall = await rejectionOf(vm.call('fails'))
      await vm.run('delete Object.prototype.toJSON')
      for (const error of [fromRun, fromCall]) {
        expect([report, error instanceof VMError]).toEqual([report, true])
        expect(typeof error.message).toBe('string')
      }
    }
    expect(await rejectionOf(vm.run(`throw new TypeError('real')`))).toMatchObject({ vmName: 'TypeError', message: 'real' })
    expect(await vm.run('return 1 + 1')).toBe(2)
  })

  it('reports an unawaited rejection to onError as VMUnhandledRejectionError, and the run still resolves', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([], { onError })
    const result = await vm.run('async function main() { throw new Error("forgotten") } main(); return { ok: true }')
    expect(result).toEqual({ ok: true })
    await waitFor(() => onError.mock.calls.length > 0)
    const error = onError.mock.calls[0]?.[0]
    expect(error).toBeInstanceOf(VMUnhandledRejectionError)
    expect(error.message).toMatch(/forgotten/)
  })

  // A SyntaxError left unhandled by a call's task is not taken for a compile error.
  it.each([
    ['an Error', '() => { Promise.reject(new Error("side effect")); return 5 }'],
    ['a SyntaxError', 'async () => { Promise.reject(new SyntaxError("side effect")); return 5 }'],
  ])('keeps a call result when the same task also leaves %s unhandled', async (_, main) => {
    const onError = vi.fn()
    const vm = await createTestVM([], { onError })
    await vm.run(`return { main: ${main} }`)
    expect(await vm.call('main')).toBe(5)
    await waitFor(() => onError.mock.calls.length === 1)
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(VMUnhandledRejectionError)
  })

  it('delivers an async call result later when its first task left a rejection unhandled', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([], { onError })
    await vm.run('return { main: async () => { Promise.reject(new Error("early")); await new Promise((r) => { globalThis.finish = r }); return 7 } }')
    const call = vm.call('main')
    await waitFor(() => onError.mock.calls.length === 1)
    await vm.run('finish()')
    expect(await call).toBe(7)
  })

  it('delivers a run result later when its first task left a rejection unhandled', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([], { onError })
    const run = vm.run('Promise.reject(new Error("early")); await new Promise((r) => { globalThis.finish = r }); return { value: 7, get: () => 8 }')
    await waitFor(() => onError.mock.calls.length === 1)
    expect(onError.mock.calls[0]?.[0]).toBeInstanceOf(VMUnhandledRejectionError)
    await vm.run('finish()')
    expect(await run).toEqual({ value: 7 })
    expect(await vm.call('get')).toBe(8)
  })

  // Code without the word `await` runs as a plain function: the outcomes must be an async body's.
  it('gives code without await the outcomes of an async body: returned promises, thenables, rejections, throws', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([], { onError })
    expect(await vm.run('return Promise.resolve(5)')).toBe(5)
    expect(await vm.run('return { then(resolve) { resolve({ n: 6, f: () => 1 }) } }')).toEqual({ n: 6 })
    expect(await vm.call('f')).toBe(1)
    const later = vm.run('return new Promise((resolve) => { globalThis.finishLater = resolve })')
    await vm.run('finishLater({ done: true })')
    expect(await later).toEqual({ done: true })
    const rejected = await rejectionOf(vm.run('return Promise.reject(new TypeError("no"))'))
    expect(rejected).toMatchObject({ name: 'VMScriptError', vmName: 'TypeError' })
    const thrown = await rejectionOf(vm.run('\n  null.x', { filename: 'plain.js' }))
    expect(thrown.vmStack).toMatch(/plain\.js:2:8/)
    expect(await vm.run('return "await" + 1')).toBe('await1')
    expect(onError.mock.calls.filter(([error]) => error instanceof VMUnhandledRejectionError)).toEqual([])
  })

  it('rejects a run with a throwing getter in its result as VMScriptError, not as an unhandled rejection', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([], { onError })
    const error = await rejectionOf(vm.run('return { get bad() { throw new RangeError("getter") } }'))
    expect(error).toBeInstanceOf(VMScriptError)
    expect(error.vmName).toBe('RangeError')
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError).toHaveBeenCalledWith(error)
  })

  it('lets go of call results the host already has, also across calls whose arguments cannot be copied', async () => {
    // 100 results of 2 MB each would exceed the 64 MB limit three times over if the VM kept them.
    const vm = await createTestVM([], { memoryLimit: 64 })
    await vm.run('return { big: () => "x".repeat(2e6) }')
    for (let i = 0; i < 100; i++) {
      expect(await vm.call('big')).toHaveLength(2e6)
      await expect(vm.call('big', [() => {}])).rejects.toBeInstanceOf(VMTransferError)
    }
    expect(await vm.run('return 1')).toBe(1)
  })

  it('lets go of run results the host already has (no VM memory held per run)', async () => {
    // 100 results of 2 MB each would exceed the 64 MB limit three times over if the VM kept them.
    const vm = await createTestVM([], { memoryLimit: 64 })
    for (let i = 0; i < 100; i++) expect(await vm.run('return "x".repeat(2e6)')).toHaveLength(2e6)
    expect(await vm.run('return 1')).toBe(1)
  })

  it('reports a rejection left unhandled after a host call to onError', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([], { onError })
    await vm.run('async function main() { await null; await null; throw new Error("late") } main(); return {}')
    await waitFor(() => onError.mock.calls.length === 1)
    expect(onError.mock.calls[0]?.[0].message).toMatch(/late/)
  })

  it('contains an onError that throws and warns once per throw', async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(warning.message)
    process.on('warning', onWarning)
    try {
      const vm = await createTestVM([], {
        onError: () => {
          throw new Error('handler broke')
        },
      })
      await expect(vm.run('throw new Error("x")')).rejects.toBeInstanceOf(VMScriptError)
      await sleep(10)
      expect(warnings.some((w) => w.includes('handler broke'))).toBe(true)
      expect(await vm.run('return 1')).toBe(1)
    } finally {
      process.off('warning', onWarning)
    }
  })
})

describe('catastrophic errors', () => {
  it('stops a busy loop past `timeout`, disposes the VM and calls onCatastrophicError(message, error)', async () => {
    const onCatastrophicError = vi.fn()
    const vm = await createTestVM([], { timeout: 50, onCatastrophicError })
    const error = await rejectionOf(vm.run('while (true) {}'))
    expect(error).toBeInstanceOf(VMTimeoutError)
    expect(vm.isDisposed).toBe(true)
    expect(onCatastrophicError).toHaveBeenCalledTimes(1)
    const [message, typed] = onCatastrophicError.mock.calls[0] as [string, VMError]
    expect(typeof message).toBe('string')
    expect(typed).toBe(error)
  })

  it('applies `timeout` to calls into the VM too', async () => {
    const onCatastrophicError = vi.fn()
    const vm = await createTestVM([], { timeout: 50, onCatastrophicError })
    await vm.run('return { spin() { for (;;) {} } }')
    await expect(vm.call('spin')).rejects.toBeInstanceOf(VMTimeoutError)
    expect(vm.isDisposed).toBe(true)
  })

  it('survives a memory-limit overflow: typed error, VM disposed, other VMs unaffected', async () => {
    const onCatastrophicError = vi.fn()
    const other = await createTestVM()
    await other.run('return { ping: () => "pong" }')
    const vm = await createTestVM([], { memoryLimit: 8, onCatastrophicError })
    const error = await rejectionOf(vm.run('const a = []; while (true) a.push(new Array(1e5).fill(1))'))
    expect(error).toBeInstanceOf(VMMemoryLimitError)
    expect(vm.isDisposed).toBe(true)
    expect(onCatastrophicError).toHaveBeenCalledWith(error.message, error)
    expect(await other.call('ping')).toBe('pong')
    await expect(vm.run('return 1')).rejects.toBe(error)
  })

  it('rejects in-flight calls with the catastrophic error', async () => {
    const vm = await createTestVM([], { memoryLimit: 8, onCatastrophicError: () => {} })
    await vm.run('return { wait: () => new Promise(() => {}), bomb() { const a = []; while (true) a.push("x".repeat(1e4) + Math.random()) } }')
    const waiting = vm.call('wait')
    const bomb = vm.call('bomb')
    await expect(bomb).rejects.toBeInstanceOf(VMMemoryLimitError)
    await expect(waiting).rejects.toBeInstanceOf(VMMemoryLimitError)
  })

  it('terminate() disposes the VM and reports the given error', async () => {
    const onCatastrophicError = vi.fn()
    const vm = await createTestVM([], { onCatastrophicError })
    const reason = new VMError('panic stop')
    vm.terminate(reason)
    expect(vm.isDisposed).toBe(true)
    expect(onCatastrophicError).toHaveBeenCalledWith('panic stop', reason)
    vm.terminate(reason)
    expect(onCatastrophicError).toHaveBeenCalledTimes(1)
  })
})

describe('VM.dispose()', () => {
  it('is idempotent, works without await and returns a promise that resolves', async () => {
    const onDispose = vi.fn()
    const vm = await createTestVM([], { onDispose })
    const first = vm.dispose()
    const second = vm.dispose()
    expect(first).toBe(second)
    await expect(first).resolves.toBeUndefined()
    expect(onDispose).toHaveBeenCalledTimes(1)
  })

  it('rejects in-flight calls and runs with VMDisposedError', async () => {
    const vm = await createTestVM()
    await vm.run('return { wait: () => new Promise(() => {}) }')
    const call = vm.call('wait')
    const run = vm.run('await new Promise(() => {})')
    vm.dispose()
    const [callResult, runResult] = await Promise.allSettled([call, run])
    expect(callResult).toMatchObject({ status: 'rejected', reason: expect.any(VMDisposedError) })
    expect(runResult).toMatchObject({ status: 'rejected', reason: expect.any(VMDisposedError) })
  })

  it('makes every later use throw VMDisposedError', async () => {
    const vm = await createTestVM()
    vm.dispose()
    await expect(vm.run('1')).rejects.toBeInstanceOf(VMDisposedError)
    await expect(vm.call('x')).rejects.toBeInstanceOf(VMDisposedError)
    await expect(vm.getHeapStatistics()).rejects.toBeInstanceOf(VMDisposedError)
  })

  it('can be disposed before initialize()', async () => {
    const onDispose = vi.fn()
    const vm = new VM([], { onDispose })
    await vm.dispose()
    expect(onDispose).toHaveBeenCalledTimes(1)
  })

  it('supports await using', async () => {
    const onDispose = vi.fn()
    {
      await using vm = new VM([], { onDispose })
      await vm.initialize()
      expect(await vm.run('return 1')).toBe(1)
    }
    expect(onDispose).toHaveBeenCalledTimes(1)
  })

  it('leaves no host timers behind', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    const vm = await createTestVM()
    await vm.run('return { wait: () => new Promise(() => {}) }')
    const call = vm.call('wait', [], { timeout: 60_000 })
    await vm.dispose()
    await call.catch(() => {})
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before)
  })
})
