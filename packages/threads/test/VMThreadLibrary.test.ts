import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM, type VMLibrary, VMInvalidArgumentError } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { createTestVM, sleep, waitFor } from '@vm-machine/test-utils'
import { VMThreadLibrary } from '@vm-machine/threads'
import { VMTimingLibrary } from '@vm-machine/timing'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it, vi } from 'vitest'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const built = existsSync(new URL('../dist/index.cjs', import.meta.url))

const quiet = () => new VMConsoleLibrary(() => {})

async function setup(files: Record<string, string>, options: Partial<ConstructorParameters<typeof VMThreadLibrary>[0]> = {}, extra: VMLibrary[] = [], vmOptions = {}) {
  const codebase = new VMCodeBaseLibrary()
  const fs = codebase.getFs()
  for (const [path, source] of Object.entries(files)) {
    fs.mkdirSync(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true })
    fs.writeFileSync(path, source)
  }
  const threads = new VMThreadLibrary({ getThreadLibraries: () => [quiet(), new VMTimingLibrary()], ...options })
  const tx = new VMIpcLibrary({ timeout: 0 })
  const vm = await createTestVM([quiet(), codebase, threads, tx, new VMTimingLibrary(), ...extra], vmOptions)
  return { vm, threads, tx, codebase, fs }
}

describe('VMThreadLibrary', () => {
  it('runs the reference Basic Usage: exposeCallables, host.* to the parent host functions, global.isThread', async () => {
    const saved: unknown[] = []
    const { vm, tx } = await setup(
      {
        '/worker.js': `
          exposeCallables({
            processData: async (data) => {
              const result = await host.saveToDatabase({ threadId: global.isThread, processedData: data.map((x) => x * 2) })
              return { success: true, result }
            },
            heavyComputation: async (numbers) => numbers.reduce((sum, n) => sum + Math.sqrt(n * n), 0),
          })`,
        '/main.js': `
          async function main() {
            const worker = await startThread('/worker')
            const result1 = await worker.processData([1, 2, 3, 4, 5])
            const result2 = await worker.heavyComputation([100, 200, 300])
            return { threadId: worker.threadId, result1, result2, mainIsThread: global.isThread }
          }
          module.exports = { main }`,
      },
      {},
      [new VMIpcRxLibrary({ saveToDatabase: async (data: unknown) => (saved.push(data), { id: 7, saved: true }) })],
    )
    await vm.run("return require('/main.js')")
    const result = (await tx.callIpc('main')) as Record<string, unknown>
    expect(result).toEqual({ threadId: 'thread-1', result1: { success: true, result: { id: 7, saved: true } }, result2: 600, mainIsThread: false })
    expect(saved).toEqual([{ threadId: 'thread-1', processedData: [2, 4, 6, 8, 10] }])
  })

  it('gives threads their own host functions too, which win over the parent VM ones', async () => {
    const { vm } = await setup(
      { '/w.js': 'exposeCallables({ who: async () => [await host.name(), await host.parentOnly()] })' },
      { getThreadLibraries: (id) => [new VMIpcRxLibrary({ name: async () => `thread ${id}` })] },
      [new VMIpcRxLibrary({ name: async () => 'parent', parentOnly: async () => 'from parent' })],
    )
    expect(await vm.run('const w = await startThread("/w.js"); return w.who()')).toEqual(['thread thread-1', 'from parent'])
  })

  it('starts threads from inline code, { code } and { path }, with require and fs over the parent volume', async () => {
    const { vm } = await setup({ '/lib/shared.js': 'module.exports = { greet: (n) => "hi " + n }', '/data.txt': 'on the volume', '/w/index.js': 'exposeCallables({ ok: () => "index" })' })
    expect(
      await vm.run(`
        const inline = await startThread('exposeCallables({ greet: (n) => require("/lib/shared.js").greet(n), read: () => require("fs").readFileSync("/data.txt", "utf8") })')
        const viaCode = await startThread({ code: 'exposeCallables({ id: () => global.isThread })' })
        const viaPath = await startThread({ path: './w' })
        return [await inline.greet('ada'), await inline.read(), await viaCode.id(), await viaPath.ok()]`),
    ).toEqual(['hi ada', 'on the volume', 'thread-2', 'index'])
  })

  it('returns a plain, non-thenable handle whose methods are the thread callables', async () => {
    const { vm } = await setup({ '/t.js': 'exposeCallables({ then: () => "not a thenable", a: () => 1 })' })
    expect(
      await vm.run(`
        const t = await startThread('/t.js')
        return [Object.keys(t).sort(), typeof t.then, t.isDisposed, Object.isFrozen(t)]`),
    ).toEqual([['a', 'isDisposed', 'threadId'], 'undefined', false, true])
  })

  it('rejects the caller with the thread error message and VM stack; the thread keeps running (error-prone worker)', async () => {
    const { vm } = await setup({
      '/error-prone-worker.js': `
        let operationCount = 0
        exposeCallables({
          riskyOperation: async (shouldFail = false) => {
            operationCount++
            if (shouldFail && operationCount > 3) throw new Error('Simulated thread error')
            await new Promise((resolve) => setTimeout(resolve, 5))
            return { success: true, operationCount }
          },
        })`,
    })
    expect(
      await vm.run(`
        const worker = await startThread('/error-prone-worker')
        const out = []
        for (let i = 0; i < 5; i++) {
          try { out.push((await worker.riskyOperation(true)).operationCount) }
          catch (e) { out.push([e.message, /error-prone-worker\\.js:6/.test(e.stack)]) }
        }
        out.push(worker.isDisposed)
        return out`),
    ).toEqual([1, 2, 3, ['Simulated thread error', true], ['Simulated thread error', true], false])
  })

  it('removes a thread that dies (memory limit), rejects its pending calls, marks it disposed, reports to onError with the thread id', async () => {
    const onError = vi.fn()
    const { vm, threads } = await setup(
      { '/hog.js': 'exposeCallables({ hog() { const a = []; for (;;) a.push(new Array(1e5).fill(1)) }, ping: () => "pong" })' },
      { threadMemoryLimit: 8 },
      [],
      { onError },
    )
    expect(
      await vm.run(`
        const t = await startThread('/hog.js')
        let error
        try { await t.hog() } catch (e) { error = e.name }
        let after
        try { await t.ping() } catch (e) { after = e.code }
        return [error, t.isDisposed, after]`),
    ).toEqual(['VMMemoryLimitError', true, 'VM_ERR_DISPOSED'])
    expect(threads.getThreads().size).toBe(0)
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'VM_ERR_MEMORY_LIMIT', threadId: 'thread-1' }))
    expect(await vm.run('return "main VM still runs"')).toBe('main VM still runs')
  })

  it('reports uncaught thread errors (timer callbacks) to the parent onError, tagged with the thread id', async () => {
    const onError = vi.fn()
    const { vm } = await setup({ '/t.js': 'setTimeout(() => { throw new Error("in thread timer") }, 1); exposeCallables({})' }, {}, [], { onError })
    await vm.run('await startThread("/t.js")')
    await waitFor(() => onError.mock.calls.length > 0)
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ message: 'in thread timer', threadId: 'thread-1' })
  })

  it('enforces threadsCountLimit with a clear rejection, and frees slots on dispose', async () => {
    const { vm } = await setup({ '/t.js': 'exposeCallables({ x: () => 1 })' }, { threadsCountLimit: 2 })
    expect(
      await vm.run(`
        const a = await startThread('/t.js')
        const b = await startThread('/t.js')
        let error
        try { await startThread('/t.js') } catch (e) { error = [e.name, e.code, e.message] }
        a.dispose()
        const c = await startThread('/t.js')
        return [error, a.isDisposed, await c.x()]`),
    ).toEqual([['VMLimitExceededError', 'VM_ERR_LIMIT_EXCEEDED', expect.stringContaining('threadsCountLimit (2)')], true, 1])
  })

  it('counts nested threads (threads that start threads) against the top limit', async () => {
    const codebaseFiles = {
      '/leaf.js': 'exposeCallables({ leaf: () => global.isThread })',
      '/mid.js': 'exposeCallables({ spawn: async () => { const l = await startThread("/leaf.js"); return l.leaf() }, spawnMany: async (n) => { for (let i = 0; i < n; i++) await startThread("/leaf.js") } })',
    }
    const { vm, threads } = await setup(codebaseFiles, {
      threadsCountLimit: 3,
      getThreadLibraries: () => [new VMThreadLibrary({ threadsCountLimit: 10, getThreadLibraries: () => [] })],
    })
    expect(
      await vm.run(`
        const mid = await startThread('/mid.js')
        const leafId = await mid.spawn()
        let error
        try { await mid.spawnMany(5) } catch (e) { error = e.code }
        return [leafId, error]`),
    ).toEqual(['thread-1.1', 'VM_ERR_LIMIT_EXCEEDED'])
    expect(threads.getThreads().size).toBe(1)
  })

  it('lists live threads with vm, tx and rx; tx.callIpc calls a thread from the host', async () => {
    const { vm, threads } = await setup({ '/t.js': 'exposeCallables({ double: (n) => n * 2, ask: () => host.hostValue() })' }, {}, [new VMIpcRxLibrary({ hostValue: async () => 99 })])
    await vm.run('globalThis.t = await startThread("/t.js")')
    const [id, info] = [...threads.getThreads()][0] as [string, { vm: VM; tx: { callIpc(name: string, args: unknown[]): Promise<unknown> }; rx: { getCallableNames(): string[]; callHost(name: string, args: unknown[]): Promise<unknown> } }]
    expect(id).toBe('thread-1')
    expect(info.vm).toBeInstanceOf(VM)
    expect(await info.tx.callIpc('double', [21])).toBe(42)
    expect(info.rx.getCallableNames()).toContain('hostValue')
    expect(await info.rx.callHost('hostValue', [])).toBe(99)
    await vm.run('t.dispose()')
    await waitFor(() => threads.getThreads().size === 0)
    expect(info.vm.isDisposed).toBe(true)
  })

  it('disposes a thread that stops answering (watchdog) and reports it', async () => {
    const onError = vi.fn()
    const { vm, threads } = await setup(
      { '/busy.js': 'exposeCallables({ spin() { for (;;) {} }, ok: () => 1 })' },
      { watchdogInterval: 20, threadResponseTimeLimit: 150 },
      [],
      { onError },
    )
    await vm.run('globalThis.busy = await startThread("/busy.js"); globalThis.outcome = busy.spin().then(() => "returned", (e) => e.code)')
    await waitFor(() => onError.mock.calls.length > 0, 5000)
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'VM_ERR_UNRESPONSIVE', threadId: 'thread-1' })
    expect(threads.getThreads().size).toBe(0)
    expect(await vm.run('return [await outcome, busy.isDisposed]')).toEqual(['VM_ERR_UNRESPONSIVE', true])
  })

  it('disposes every thread when the main VM is disposed', async () => {
    const { vm, threads } = await setup({ '/t.js': 'exposeCallables({ x: () => 1 })' })
    await vm.run('await startThread("/t.js"); await startThread("/t.js")')
    const vms = [...threads.getThreads().values()].map((t) => t.vm)
    expect(vms).toHaveLength(2)
    await vm.dispose()
    expect(vms.every((v) => v.isDisposed)).toBe(true)
    expect(threads.getThreads().size).toBe(0)
  })

  it('runs CPU work of two threads in parallel', async () => {
    const { vm } = await setup({ '/cpu.js': 'exposeCallables({ burn: (ms) => { const end = Date.now() + ms; let n = 0; while (Date.now() < end) n++; return n > 0 } })' })
    const started = Date.now()
    expect(await vm.run('const [a, b] = [await startThread("/cpu.js"), await startThread("/cpu.js")]; return Promise.all([a.burn(300), b.burn(300)])')).toEqual([true, true])
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('rejects bad sources and missing files', async () => {
    const { vm } = await setup({})
    expect(
      await vm.run(`
        const out = []
        for (const source of [42, null, {}, '/missing.js']) {
          try { await startThread(source) } catch (e) { out.push(e.name + ':' + (e.code || '')) }
        }
        return out`),
    ).toEqual(['TypeError:', 'TypeError:', 'TypeError:', 'Error:MODULE_NOT_FOUND'])
  })

  it('needs a codebase for paths but runs inline code without one', async () => {
    const threads = new VMThreadLibrary({ getThreadLibraries: () => [] })
    const vm = await createTestVM([threads])
    expect(await vm.run('const t = await startThread("exposeCallables({ two: () => 2 })"); let e; try { await startThread("/x.js") } catch (err) { e = err.message } return [await t.two(), e]')).toEqual([
      2,
      expect.stringContaining('needs a VMCodeBaseLibrary'),
    ])
  })

  it('validates options and defaults to 16 MB, 10 threads, 1000 ms watchdog, 10 000 ms limit', () => {
    const lib = new VMThreadLibrary({ getThreadLibraries: () => [] })
    expect([lib.threadMemoryLimit, lib.threadsCountLimit, lib.watchdogInterval, lib.threadResponseTimeLimit]).toEqual([16, 10, 1000, 10_000])
    expect(() => new VMThreadLibrary({} as never)).toThrow(VMInvalidArgumentError)
    expect(() => new VMThreadLibrary({ getThreadLibraries: () => [], threadMemoryLimit: 4 })).toThrow(VMInvalidArgumentError)
    // Node runs a timer of 2^31 ms or more after 1 ms: a watchdog that long would ping every millisecond.
    expect(() => new VMThreadLibrary({ getThreadLibraries: () => [], watchdogInterval: 2 ** 31 })).toThrow(VMInvalidArgumentError)
    expect(() => new VMThreadLibrary({ getThreadLibraries: () => [], threadResponseTimeLimit: 2 ** 31 })).toThrow(VMInvalidArgumentError)
  })

  it('frees a thread whose VM the host disposed and never takes __proto__ as a callable', async () => {
    const { vm, threads } = await setup({}, { threadsCountLimit: 2 })
    await vm.run(`globalThis.t1 = await startThread('exposeCallables({ f: () => 1, ["__proto__"]: () => 2 })'); globalThis.t2 = await startThread('exposeCallables({ f: () => 2 })')`)
    expect(await vm.run('return [Object.getPrototypeOf(t1) === Object.prototype, Object.keys(t1).includes("__proto__")]')).toEqual([true, false])
    await threads.getThreads().get('thread-1')?.vm.dispose()
    await waitFor(() => !threads.getThreads().has('thread-1'))
    expect(await vm.run(`
      const t3 = await startThread('exposeCallables({ f: () => 3 })')
      return [t1.isDisposed, t3.threadId, await t3.f()]`)).toEqual([true, 'thread-3', 3])
  })

  it("reports a nested thread's errors and death with the nested thread's id", async () => {
    const onError = vi.fn()
    const { vm } = await setup(
      { '/inner.js': 'Promise.reject(new Error("inner")); exposeCallables({ fill: () => { const a = []; for (;;) a.push(new Array(1e5).fill(1)) } })' },
      { threadMemoryLimit: 8, getThreadLibraries: () => [new VMThreadLibrary({ threadMemoryLimit: 8, getThreadLibraries: () => [] })] },
      [],
      { onError },
    )
    await vm.run(`
      const outer = await startThread('exposeCallables({ nest: async () => { const inner = await startThread("/inner.js"); try { await inner.fill() } catch (e) { return e.code } } })')
      return outer.nest()`)
    await waitFor(() => onError.mock.calls.some(([error]) => error.code === 'VM_ERR_MEMORY_LIMIT'))
    expect(onError.mock.calls.map(([error]) => [error.code, error.threadId])).toEqual([
      ['VM_ERR_UNHANDLED_REJECTION', 'thread-1.1'],
      ['VM_ERR_MEMORY_LIMIT', 'thread-1.1'],
    ])
  })

  it('serves a second VM after its first one was disposed', async () => {
    const { vm, threads, codebase } = await setup({})
    await vm.dispose()
    const again = await createTestVM([quiet(), codebase, threads, new VMTimingLibrary()])
    expect(await again.run(`const t = await startThread('exposeCallables({ f: () => global.isThread })'); return await t.f()`)).toMatch(/^thread-/)
  })

  // In a child process: whether the process ends by itself.
  it.runIf(built)('does not keep the process alive with its watchdog', () => {
    const script = `const { VM } = require('@vm-machine/core'); const { VMThreadLibrary } = require('@vm-machine/threads')
      const vm = new VM([new VMThreadLibrary({ getThreadLibraries: () => [] })])
      vm.initialize().then(() => vm.run('return 1 + 1')).then((v) => console.log('ran', v))`
    const started = Date.now()
    const out = execFileSync(process.execPath, ['--no-node-snapshot', '-e', script], { cwd: packageDir, timeout: 20_000 }).toString().trim()
    expect(out).toBe('ran 2')
    expect(Date.now() - started).toBeLessThan(15_000)
  })

  it('uses each thread memory limit', async () => {
    const { vm, threads } = await setup({ '/t.js': 'exposeCallables({})' }, { threadMemoryLimit: 24 })
    await vm.run('await startThread("/t.js")')
    const thread = [...threads.getThreads().values()][0]
    expect(thread?.vm.memoryLimit).toBe(24)
    await sleep(1)
  })
})
