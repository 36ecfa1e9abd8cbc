import { VM, VMLibrary, type VMOptions, VMUnresponsiveError, hostFunction } from '@vm-machine/core'
import { VMMeasureLibrary } from '@vm-machine/measure'
import { createTestVM, rejectionOf, sleep, trackVM, waitFor } from '@vm-machine/test-utils'
import { describe, expect, it, vi } from 'vitest'

class Host extends VMLibrary {
  readonly events: unknown[] = []
  override getReferences() {
    return {
      emit: (value: unknown) => void this.events.push(value),
      pause: async (ms: number) => sleep(ms),
    }
  }
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length

/**
 * A VM whose `measure.ping` calls are recorded: `sent` nonces (the warm-up send of '' excluded)
 * and how many of them the VM has answered (its pong reaches the host before the call settles).
 */
async function observedVM(measure: VMMeasureLibrary, options: VMOptions = {}) {
  const vm = trackVM(new VM([measure], options))
  const sent: unknown[] = []
  let answered = 0
  const original = vm.getVmFunction.bind(vm)
  vi.spyOn(vm, 'getVmFunction').mockImplementation((name) => {
    const fn = original(name)
    return (...args: unknown[]) => {
      if (args[0] === '') return fn(...args)
      sent.push(args[0])
      return fn(...args).then((value) => {
        answered++
        return value
      })
    }
  })
  await vm.initialize()
  const allAnswered = () => waitFor(() => sent.length > 0 && answered === sent.length)
  return { vm, sent, allAnswered }
}

describe('VMMeasureLibrary', () => {
  it('runs the reference usage example: monitoring loop, __ping() from VM code, stats that format', async () => {
    const measureLib = new VMMeasureLibrary({ responseTimeLimit: 1000 })
    const vm = await createTestVM([measureLib, new Host()])
    const lines: string[] = []
    const monitor = setInterval(async () => {
      measureLib.ping()
      const stats = await measureLib.getUsageStats()
      lines.push(`${(stats.usedMemory / 1024 / 1024).toFixed(2)} MB ${stats.memoryUsedPercentage.toFixed(2)}% ${stats.responseTime}ms`)
    }, 20)
    try {
      const result = await vm.run(`
        global.__ping();
        const data = new Array(1000000).fill(0).map((_, i) => i * i);
        return { processed: data.length };`)
      expect(result).toEqual({ processed: 1000000 })
      await waitFor(() => lines.length >= 3)
    } finally {
      clearInterval(monitor)
    }
    expect(lines[0]).toMatch(/^\d+\.\d\d MB \d+\.\d\d% [\d.]+ms$/)
    expect(vm.isDisposed).toBe(false)
  })

  it('reports heap use, heap limit, percentage, CPU and wall time of the VM', async () => {
    const measure = new VMMeasureLibrary()
    const vm = await createTestVM([measure], { memoryLimit: 32 })
    await vm.run('globalThis.keep = new Array(200000).fill(1).map((x, i) => ({ i })); let s = 0; for (let i = 0; i < 2e6; i++) s += i')
    const stats = await measure.getUsageStats()
    const heap = await vm.getHeapStatistics()
    expect(Object.keys(stats).sort()).toEqual(['cpuTime', 'memoryUsedPercentage', 'responseTime', 'totalMemory', 'usedMemory', 'wallTime'])
    expect(stats.totalMemory).toBe(heap.heap_size_limit)
    expect(stats.totalMemory).toBeGreaterThanOrEqual(32 * 1024 * 1024)
    expect(stats.usedMemory).toBeGreaterThan(1024 * 1024)
    expect(Math.abs(stats.usedMemory - heap.used_heap_size)).toBeLessThan(1024 * 1024)
    expect(stats.memoryUsedPercentage).toBeCloseTo((stats.usedMemory / stats.totalMemory) * 100, 10)
    expect(stats.memoryUsedPercentage).toBeGreaterThan(0)
    expect(stats.memoryUsedPercentage).toBeLessThan(100)
    expect(stats.cpuTime).toBeGreaterThan(0)
    expect(stats.wallTime).toBeGreaterThanOrEqual(stats.cpuTime * 0.5)
    expect(stats.responseTime).toBe(0)
  })

  it('reports zeros, never throwing, before initialize(), after dispose and when never attached', async () => {
    const zeros = { usedMemory: 0, totalMemory: 0, memoryUsedPercentage: 0, responseTime: 0, cpuTime: 0, wallTime: 0 }
    expect(await new VMMeasureLibrary().getUsageStats()).toEqual(zeros)
    const measure = new VMMeasureLibrary({ responseTimeLimit: 1000 })
    const vm = trackVM(new VM([measure]))
    expect(await measure.getUsageStats()).toEqual(zeros)
    expect(() => measure.ping()).not.toThrow()
    expect(measure.getResponseTime()).toBe(0)
    await vm.initialize()
    expect((await measure.getUsageStats()).totalMemory).toBeGreaterThan(0)
    await vm.dispose()
    expect(await measure.getUsageStats()).toEqual(zeros)
    expect(measure.getResponseTime()).toBe(0)
    expect(() => measure.ping()).not.toThrow()
  })

  it('measures the ping round trip: 0 before the first ping, then the last answer', async () => {
    const measure = new VMMeasureLibrary()
    const { vm, allAnswered } = await observedVM(measure)
    await sleep(30)
    expect(measure.getResponseTime()).toBe(0)
    measure.ping()
    await allAnswered()
    const first = measure.getResponseTime()
    await sleep(30)
    expect(measure.getResponseTime()).toBe(first)
    expect(first).toBeGreaterThan(0)
    expect(first).toBeLessThan(1000)
    expect((await measure.getUsageStats()).responseTime).toBe(first)
    expect(vm.isDisposed).toBe(false)
  })

  it('keeps one ping in flight: ping() while one is pending sends nothing new', async () => {
    const measure = new VMMeasureLibrary()
    const { vm, sent, allAnswered } = await observedVM(measure)
    await vm.run('exposeCallables({ spin: () => { const end = Date.now() + 150; while (Date.now() < end) {} } })')
    const spinning = vm.call('spin', [])
    await sleep(20)
    for (let i = 0; i < 10; i++) measure.ping()
    expect(sent).toHaveLength(1)
    await spinning
    await allAnswered()
    expect(measure.getResponseTime()).toBeGreaterThanOrEqual(100)
    measure.ping()
    expect(sent).toHaveLength(2)
  })

  it('shows a pending ping as its wait so far when that exceeds the last round trip', async () => {
    const measure = new VMMeasureLibrary()
    const vm = await createTestVM([measure])
    const busy = vm.run('const end = Date.now() + 400; while (Date.now() < end) {}')
    await sleep(20)
    measure.ping()
    await sleep(200)
    expect(measure.getResponseTime()).toBeGreaterThanOrEqual(150)
    const stats = await measure.getUsageStats()
    expect(stats.responseTime).toBeGreaterThanOrEqual(150)
    await busy
    await waitFor(() => measure.getResponseTime() >= 300)
    expect(measure.getResponseTime()).toBeLessThan(5000)
  })

  it('returns stats of a VM stuck in a loop within a bounded time, with the last heap reading', async () => {
    const measure = new VMMeasureLibrary()
    const vm = await createTestVM([measure])
    void vm.run('while (true) {}').catch(() => {})
    await sleep(50)
    const start = Date.now()
    const during = await measure.getUsageStats()
    expect(Date.now() - start).toBeLessThan(2000)
    expect(during.usedMemory).toBeGreaterThan(0)
    expect(during.totalMemory).toBeGreaterThanOrEqual(64 * 1024 * 1024)
    expect(during.wallTime).toBeGreaterThan(30)
    const again = await measure.getUsageStats()
    expect(again.usedMemory).toBe(during.usedMemory)
    expect(again.wallTime).toBeGreaterThan(during.wallTime)
  })

  it('takes its first heap reading also when a later library finishes afterStart() on I/O', async () => {
    class SlowStart extends VMLibrary {
      override async afterStart() {
        await sleep(20)
      }
    }
    const measure = new VMMeasureLibrary()
    const vm = await createTestVM([measure, new SlowStart()])
    void vm.run('while (true) {}').catch(() => {})
    await sleep(50)
    expect((await measure.getUsageStats()).usedMemory).toBeGreaterThan(0)
  })

  it('lets VM code ask for a ping with global.__ping(), once until it arrives', async () => {
    const measure = new VMMeasureLibrary()
    const { vm, sent, allAnswered } = await observedVM(measure)
    expect(await vm.run('return typeof global.__ping')).toBe('function')
    await vm.run('for (let i = 0; i < 1000; i++) __ping()')
    await allAnswered()
    expect(sent).toHaveLength(1)
    expect(measure.getResponseTime()).toBeGreaterThan(0)
    await vm.run('__ping(); __ping()')
    await waitFor(() => sent.length === 2)
    await sleep(30)
    expect(sent).toHaveLength(2)
  })

  it('leaves nothing of its own on globalThis but __ping', async () => {
    const names = 'return Object.getOwnPropertyNames(globalThis)'
    const plain = (await (await createTestVM([])).run(names)) as string[]
    const measured = (await (await createTestVM([new VMMeasureLibrary({ responseTimeLimit: 1000 })])).run(names)) as string[]
    expect(measured.filter((name) => !plain.includes(name))).toEqual(['__ping'])
    expect(plain.filter((name) => !measured.includes(name))).toEqual([])
  })

  it('pings by itself with a responseTimeLimit, without anyone calling ping()', async () => {
    const measure = new VMMeasureLibrary({ responseTimeLimit: 100 })
    const { sent, allAnswered } = await observedVM(measure)
    await allAnswered()
    expect(measure.getResponseTime()).toBeGreaterThan(0)
    await sleep(300)
    expect(sent.length).toBeGreaterThanOrEqual(2)
    expect(new Set(sent).size).toBe(sent.length)
  })

  it('sends no pings and starts no timers without a responseTimeLimit', async () => {
    await sleep(50)
    const before = timers()
    const measure = new VMMeasureLibrary()
    expect(measure.responseTimeLimit).toBeUndefined()
    const { sent } = await observedVM(measure)
    await sleep(50)
    expect(sent).toHaveLength(0)
    expect(timers()).toBeLessThanOrEqual(before)
  })

  it('panic-stops a VM busy in a loop started without await; the host and other VMs keep running', async () => {
    const onCatastrophicError = vi.fn()
    const vm = await createTestVM([new VMMeasureLibrary({ responseTimeLimit: 100 })], { onCatastrophicError })
    const other = await createTestVM([new VMMeasureLibrary({ responseTimeLimit: 100 })])
    const started = Date.now()
    const running = rejectionOf(vm.run('while (true) {}'))
    await waitFor(() => onCatastrophicError.mock.calls.length > 0)
    expect(Date.now() - started).toBeLessThan(3000)
    const [message, error] = onCatastrophicError.mock.calls[0] as [string, VMUnresponsiveError]
    expect(error).toBeInstanceOf(VMUnresponsiveError)
    expect(error).toMatchObject({ code: 'VM_ERR_UNRESPONSIVE', limit: 100 })
    expect(message).toBe(error.message)
    expect(vm.isDisposed).toBe(true)
    expect(await running).toMatchObject({ code: 'VM_ERR_UNRESPONSIVE' })
    expect(onCatastrophicError).toHaveBeenCalledTimes(1)
    expect(await other.run('return 1 + 1')).toBe(2)
    await sleep(10)
    expect(other.isDisposed).toBe(false)
  })

  it('cannot be kept alive by VM code calling __ping, a guessed __pong or every global in a loop', async () => {
    const onCatastrophicError = vi.fn()
    const vm = await createTestVM([new VMMeasureLibrary({ responseTimeLimit: 150 })], { onCatastrophicError })
    const running = rejectionOf(vm.run(`
      const names = Object.getOwnPropertyNames(globalThis)
      while (true) {
        try { __pong() } catch {}
        try { globalThis.__pong('nonce') } catch {}
        __ping()
        for (const name of names) {
          try { const value = globalThis[name]; if (typeof value === 'function') value('nonce') } catch {}
        }
      }`))
    await waitFor(() => onCatastrophicError.mock.calls.length > 0)
    expect(onCatastrophicError.mock.calls[0]?.[1]).toMatchObject({ code: 'VM_ERR_UNRESPONSIVE' })
    expect(await running).toMatchObject({ code: 'VM_ERR_UNRESPONSIVE' })
    expect(vm.isDisposed).toBe(true)
  })

  it('does not stop a VM that works in bursts shorter than the limit or awaits the host', async () => {
    const onCatastrophicError = vi.fn()
    const measure = new VMMeasureLibrary({ responseTimeLimit: 300 })
    const vm = await createTestVM([measure, new Host()], { onCatastrophicError })
    await vm.run(`
      for (let i = 0; i < 8; i++) {
        const end = Date.now() + 40
        while (Date.now() < end) {}
        await pause(30)
      }`)
    expect(await vm.run('const end = Date.now() + 100; while (Date.now() < end) {} return "done"')).toBe('done')
    expect(onCatastrophicError).not.toHaveBeenCalled()
    expect(vm.isDisposed).toBe(false)
  })

  it('does not stop a healthy VM when the host event loop itself was blocked past the limit', async () => {
    const onCatastrophicError = vi.fn()
    const measure = new VMMeasureLibrary({ responseTimeLimit: 50 })
    const vm = await createTestVM([measure], { onCatastrophicError })
    for (let round = 0; round < 3; round++) {
      measure.ping()
      const end = Date.now() + 200
      while (Date.now() < end) {}
      await sleep(20)
    }
    expect(onCatastrophicError).not.toHaveBeenCalled()
    expect(vm.isDisposed).toBe(false)
  })

  it('calls onDispose once, however often it is disposed', async () => {
    const onDispose = vi.fn()
    const measure = new VMMeasureLibrary({}, onDispose)
    const vm = await createTestVM([measure])
    measure.dispose()
    await vm.dispose()
    await vm.dispose()
    expect(onDispose).toHaveBeenCalledTimes(1)
  })

  it('calls onDispose when a panic stop disposes the VM', async () => {
    const onDispose = vi.fn()
    const vm = await createTestVM([new VMMeasureLibrary({ responseTimeLimit: 50 }, onDispose)], { onCatastrophicError: () => {} })
    void vm.run('while (true) {}').catch(() => {})
    await waitFor(() => onDispose.mock.calls.length === 1)
    expect(vm.isDisposed).toBe(true)
  })

  it('contains an onDispose that throws and reports it to onError', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([new VMMeasureLibrary({}, () => { throw new Error('boom') })], { onError })
    await expect(vm.dispose()).resolves.toBeUndefined()
    expect(onError.mock.calls.some(([error]) => /boom/.test(String((error as Error).message)))).toBe(true)
  })

  it('leaves no host timers behind after dispose, even with a ping pending', async () => {
    await sleep(50)
    const before = timers()
    const measure = new VMMeasureLibrary({ responseTimeLimit: 1000 })
    const { vm, allAnswered } = await observedVM(measure, { onCatastrophicError: () => {} })
    await allAnswered()
    void vm.run('while (true) {}').catch(() => {})
    await sleep(30)
    measure.ping()
    void measure.getUsageStats()
    // The watch interval, the pending ping's deadline and the heap-read wait.
    const live = timers()
    await vm.dispose()
    const after = timers()
    expect(live - after).toBeGreaterThanOrEqual(3)
    expect(after).toBeLessThanOrEqual(before)
    measure.dispose()
    expect(timers()).toBeLessThanOrEqual(before)
  })

  it('rejects bad options with VMInvalidArgumentError', () => {
    // 2^31 ms: Node would run the timer after 1 ms and panic-stop a healthy VM.
    for (const responseTimeLimit of ['100', -1, 0, Number.NaN, Number.POSITIVE_INFINITY, null, 2 ** 31]) {
      expect(() => new VMMeasureLibrary({ responseTimeLimit } as never)).toThrow(expect.objectContaining({ code: 'VM_ERR_INVALID_ARGUMENT' }))
    }
    expect(() => new VMMeasureLibrary(null as never)).toThrow(expect.objectContaining({ code: 'VM_ERR_INVALID_ARGUMENT' }))
    expect(() => new VMMeasureLibrary(5 as never)).toThrow(expect.objectContaining({ code: 'VM_ERR_INVALID_ARGUMENT' }))
    expect(() => new VMMeasureLibrary({}, 'x' as never)).toThrow(expect.objectContaining({ code: 'VM_ERR_INVALID_ARGUMENT' }))
    expect(new VMMeasureLibrary({ responseTimeLimit: 250 }).responseTimeLimit).toBe(250)
  })

  it('refuses two measure libraries in one VM with VMLibraryConflictError', async () => {
    const vm = trackVM(new VM([new VMMeasureLibrary(), new VMMeasureLibrary()]))
    expect(await rejectionOf(vm.initialize())).toMatchObject({ code: 'VM_ERR_LIBRARY_CONFLICT' })
  })

  it('does not freeze the host when the first ping comes while the VM is already busy', async () => {
    const measure = new VMMeasureLibrary()
    const vm = await createTestVM([measure])
    void vm.run('while (true) {}').catch(() => {})
    await sleep(30) // run() compiles asynchronously; let the loop start
    const start = Date.now()
    measure.ping()
    await sleep(20)
    expect(Date.now() - start).toBeLessThan(1000)
    expect(measure.getResponseTime()).toBeGreaterThanOrEqual(10)
  })

  it('answers a __ping() that library code makes during initialize()', async () => {
    class EarlyCaller extends VMLibrary {
      override getVmCode() {
        return '__ping()'
      }
    }
    const measure = new VMMeasureLibrary()
    const vm = trackVM(new VM([measure, new EarlyCaller()]))
    await vm.initialize()
    await waitFor(() => measure.getResponseTime() > 0)
    await sleep(20)
    expect(measure.getResponseTime()).toBeGreaterThan(0)
    expect(measure.getResponseTime()).toBeLessThan(1000)
  })

  it('fails initialize() with VMLibraryConflictError when another library defines its internal globals', async () => {
    class Impostor extends VMLibrary {
      override getReferences() {
        return { __vmm_measure_pong: hostFunction(() => {}, 'ignored') }
      }
    }
    const vm = trackVM(new VM([new VMMeasureLibrary(), new Impostor()]))
    expect(await rejectionOf(vm.initialize())).toMatchObject({ code: 'VM_ERR_LIBRARY_CONFLICT' })
  })
})
