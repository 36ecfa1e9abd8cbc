import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM, type VMError } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { VMMeasureLibrary } from '@vm-machine/measure'
import { createTestVM, rejectionOf, sleep, trackVM, waitFor } from '@vm-machine/test-utils'
import { VMThreadLibrary } from '@vm-machine/threads'
import { VMTimingLibrary } from '@vm-machine/timing'
import { describe, expect, it, vi } from 'vitest'

/** A VM that must keep working while another one is attacked. */
async function bystander() {
  const tx = new VMIpcLibrary()
  const vm = await createTestVM([tx])
  await vm.run('return { ping: (x) => x }')
  return () => tx.callIpc('ping', ['alive'])
}

function catastrophes() {
  const seen: VMError[] = []
  return { seen, onCatastrophicError: (_message: string, error: VMError) => void seen.push(error) }
}

describe('resource attacks: the host and other VMs survive, the failure is typed and bounded', () => {
  it('sync infinite loop: stopped by timeout', async () => {
    const alive = await bystander()
    const { seen, onCatastrophicError } = catastrophes()
    const vm = await createTestVM([], { timeout: 100, onCatastrophicError })
    await expect(vm.run('for (;;) {}')).rejects.toMatchObject({ code: 'VM_ERR_TIMEOUT' })
    expect(seen.map((e) => e.code)).toEqual(['VM_ERR_TIMEOUT'])
    expect(await alive()).toBe('alive')
  })

  it('async infinite loop without timeout: panic-stopped by measure', async () => {
    const alive = await bystander()
    const { seen, onCatastrophicError } = catastrophes()
    const vm = await createTestVM([new VMMeasureLibrary({ responseTimeLimit: 200 })], { onCatastrophicError })
    const running = vm.run('await null; for (;;) {}')
    await expect(running).rejects.toMatchObject({ code: 'VM_ERR_UNRESPONSIVE' })
    expect(seen.map((e) => e.code)).toEqual(['VM_ERR_UNRESPONSIVE'])
    expect(vm.isDisposed).toBe(true)
    expect(await alive()).toBe('alive')
  })

  it('infinite microtask chain: stopped by timeout', async () => {
    const { seen, onCatastrophicError } = catastrophes()
    const vm = await createTestVM([], { timeout: 100, onCatastrophicError })
    await rejectionOf(vm.run('const spin = () => Promise.resolve().then(spin); spin(); await new Promise(() => {})'))
    await waitFor(() => seen.length === 1)
    expect(seen[0]?.code).toBe('VM_ERR_TIMEOUT')
  })

  it('deep recursion is a catchable RangeError, not a crash', async () => {
    const vm = await createTestVM()
    expect(await vm.run('const f = (n) => f(n + 1) + 1; try { f(0) } catch (e) { return e.constructor.name }')).toBe('RangeError')
  })

  it.each([
    ['string doubling', 'let s = "x"; for (;;) s += s'],
    ['array growth', 'const a = []; for (;;) a.push({ n: Math.random(), s: "y".repeat(64) })'],
    ['array buffers', 'const keep = []; for (;;) keep.push(new ArrayBuffer(4 * 1024 * 1024))'],
    ['typed arrays', 'const keep = []; for (;;) keep.push(new Float64Array(1024 * 1024))'],
  ])('memory bomb (%s): memory limit or RangeError, host intact', async (_label, code) => {
    const alive = await bystander()
    const { seen, onCatastrophicError } = catastrophes()
    const vm = await createTestVM([], { memoryLimit: 16, onCatastrophicError })
    const error = await rejectionOf(vm.run(code))
    expect(['VM_ERR_MEMORY_LIMIT', 'VM_ERR_SCRIPT']).toContain(error.code)
    if (error.code === 'VM_ERR_MEMORY_LIMIT') expect(seen[0]).toBe(error)
    else expect(error.vmName).toBe('RangeError')
    expect(await alive()).toBe('alive')
    expect(process.memoryUsage().rss).toBeLessThan(4 * 1024 ** 3)
  })

  it('timer flood: limitCount holds, a fork bomb of timeouts stays bounded', async () => {
    const timing = new VMTimingLibrary({ limitCount: 50 })
    const onError = vi.fn()
    const vm = await createTestVM([timing], { onError })
    const result = await vm.run(`
      let refused = 0
      for (let i = 0; i < 10000; i++) { try { setInterval(() => {}, 0) } catch (e) { refused++ } }
      return refused`)
    expect(result).toBe(10000 - 50)
    expect(timing.activeCount).toBe(50)
    const bomb = new VMTimingLibrary({ limitCount: 20 })
    const vm2 = await createTestVM([bomb], { onError })
    await vm2.run('const fork = () => { try { setTimeout(fork, 0); setTimeout(fork, 0) } catch (e) {} }; fork()')
    await sleep(200)
    expect(bomb.activeCount).toBeLessThanOrEqual(20)
    vm2.dispose()
    expect(bomb.activeCount).toBe(0)
  })

  it('fs flood: many files, one huge file, deep directories — all bounded by the volume limits', async () => {
    const codebase = new VMCodeBaseLibrary({ maxFileCount: 200, maxMemfsSize: 1024 * 1024 })
    const vm = await createTestVM([codebase])
    const result = await vm.run(`
      const fs = require('fs')
      const out = {}
      try { for (let i = 0; ; i++) fs.writeFileSync('/f' + i, 'x') } catch (e) { out.files = e.code }
      for (const name of fs.readdirSync('/')) fs.unlinkSync('/' + name)
      try { fs.writeFileSync('/huge', 'x'.repeat(2 * 1024 * 1024)) } catch (e) { out.huge = e.code }
      try { let p = ''; for (let i = 0; i < 10000; i++) { p += '/d'; fs.mkdirSync(p) } } catch (e) { out.deep = e.code }
      return out`)
    expect(result).toEqual({ files: 'VM_ERR_LIMIT_EXCEEDED', huge: 'VM_ERR_LIMIT_EXCEEDED', deep: 'VM_ERR_LIMIT_EXCEEDED' })
    const usage = codebase.getFs().readdirSync('/')
    expect(usage.length).toBeLessThanOrEqual(200)
  })

  it('thread flood and threads that spawn threads stay within threadsCountLimit', async () => {
    const codebase = new VMCodeBaseLibrary()
    codebase.getFs().writeFileSync('/spawner.js', 'exposeCallables({ spawn: async () => { const out = []; for (let i = 0; i < 50; i++) { try { out.push((await startThread("/spawner.js")).threadId) } catch (e) { out.push(e.code); break } } return out } })')
    const threads = new VMThreadLibrary({
      threadsCountLimit: 5,
      getThreadLibraries: () => [new VMThreadLibrary({ threadsCountLimit: 100, getThreadLibraries: () => [] })],
    })
    const vm = await createTestVM([codebase, threads])
    const result = (await vm.run(`
      const roots = []
      for (let i = 0; i < 20; i++) { try { roots.push(await startThread('/spawner.js')) } catch (e) { roots.push(e.code); break } }
      return [roots.map((r) => typeof r === 'string' ? r : r.threadId), await roots[0].spawn()]`)) as [string[], string[]]
    expect(result[0]).toContain('VM_ERR_LIMIT_EXCEEDED')
    expect(result[1]).toContain('VM_ERR_LIMIT_EXCEEDED')
    expect(threads.getThreads().size).toBeLessThanOrEqual(5)
  })

  it('huge IPC payloads fail with a typed error and leave both sides working', async () => {
    const tx = new VMIpcLibrary()
    const received: number[] = []
    const rx = new VMIpcRxLibrary({ take: async (s: string) => void received.push(s.length) })
    const { onCatastrophicError } = catastrophes()
    const vm = await createTestVM([tx, rx], { memoryLimit: 32, onCatastrophicError })
    await vm.run('return { big: (n) => "x".repeat(n), small: () => "ok" }')
    expect(((await tx.callIpc('big', [8 * 1024 * 1024])) as string).length).toBe(8 * 1024 * 1024)
    const tooBig = await rejectionOf(tx.callIpc('take', ['y'.repeat(64 * 1024 * 1024)]).catch((e) => Promise.reject(e)))
    expect(['VM_ERR_MEMORY_LIMIT', 'VM_ERR_UNKNOWN_CALLABLE', 'VM_ERR_SCRIPT', 'VM_ERR_TRANSFER']).toContain(tooBig.code)
  })

  it('host call flood: 50 000 un-awaited async host calls complete, nothing leaks', async () => {
    let calls = 0
    const rx = new VMIpcRxLibrary({ hit: async () => ++calls })
    const vm = await createTestVM([rx])
    expect(await vm.run('const all = []; for (let i = 0; i < 50000; i++) all.push(hit()); return (await Promise.all(all)).length')).toBe(50000)
    expect(calls).toBe(50000)
  })

  it('calls after dispose and dispose while calls, timers, requires and threads are in flight: typed errors, no unhandled rejections', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const codebase = new VMCodeBaseLibrary({ moduleResolver: async () => sleep(50).then(() => 'module.exports = 1') })
      codebase.getFs().writeFileSync('/t.js', 'exposeCallables({ wait: () => new Promise(() => {}) })')
      const tx = new VMIpcLibrary()
      const rx = new VMIpcRxLibrary({ slow: () => sleep(50) })
      const threads = new VMThreadLibrary({ getThreadLibraries: () => [new VMTimingLibrary()] })
      const timing = new VMTimingLibrary()
      const vm = await createTestVM([codebase, tx, rx, threads, timing, new VMConsoleLibrary(() => {})])
      await vm.run('return { work: async () => { await slow(); return 1 }, load: () => require("remote"), thread: async () => { const t = await startThread("/t.js"); return t.wait() } }')
      await vm.run('setInterval(() => console.log("tick"), 1); setTimeout(() => {}, 10000)')
      const inFlight = [tx.callIpc('work'), tx.callIpc('load'), tx.callIpc('thread'), vm.run('await slow()')]
      await sleep(20)
      vm.dispose()
      const settled = await Promise.allSettled(inFlight)
      for (const result of settled) expect(result).toMatchObject({ status: 'rejected', reason: { code: 'VM_ERR_DISPOSED' } })
      await expect(tx.callIpc('work')).rejects.toMatchObject({ code: 'VM_ERR_DISPOSED' })
      await expect(vm.run('1')).rejects.toMatchObject({ code: 'VM_ERR_DISPOSED' })
      expect(timing.activeCount).toBe(0)
      expect(threads.getThreads().size).toBe(0)
      await sleep(100)
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })

  it('a VM that returns to the host mid-flood can still be disposed promptly', async () => {
    const vm = trackVM(new VM([], { onCatastrophicError: () => {} }))
    await vm.initialize()
    void vm.run('for (;;) {}').catch(() => {})
    await sleep(30)
    const started = Date.now()
    await vm.dispose()
    expect(Date.now() - started).toBeLessThan(1000)
  })
})
