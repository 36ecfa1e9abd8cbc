import { VM, VMUnresponsiveError } from '@vm-machine/core'
import { type UsageStats, VMMeasureLibrary, VMMeasureMasterLibrary } from '@vm-machine/measure'
import { createTestVM, rejectionOf, sleep, trackVM, waitFor } from '@vm-machine/test-utils'
import { describe, expect, it, vi } from 'vitest'

const zeros: UsageStats = { usedMemory: 0, totalMemory: 0, memoryUsedPercentage: 0, responseTime: 0, cpuTime: 0, wallTime: 0 }

describe('VMMeasureMasterLibrary', () => {
  it('runs the reference Advanced Monitoring example: two VMs (32 and 64 MB), overall and combined stats', async () => {
    const masterLib = new VMMeasureMasterLibrary({ responseTimeLimit: 2000 })
    const vm1Lib = masterLib.getNewLibrary('worker-1')
    const vm2Lib = masterLib.getNewLibrary('worker-2')
    const vm1 = trackVM(new VM([vm1Lib], { memoryLimit: 32 }))
    const vm2 = trackVM(new VM([vm2Lib], { memoryLimit: 64 }))

    // As written, the example never initializes the VMs: they report zeros.
    const before = await masterLib.getOverallUsageStats()
    expect(before.nested).toEqual({ 'worker-1': zeros, 'worker-2': zeros })
    expect(before.usedMemory).toBe(0)
    const combinedBefore = await masterLib.getCombinedStats()
    expect(combinedBefore).toEqual({ usedMemory: 0, memoryUsedPercentage: 0, responseAverageTime: 0, responseTime: 0, managedCount: 2 })

    await vm1.initialize()
    await vm2.initialize()
    await vm2.run('globalThis.keep = Array.from({ length: 100000 }, (_, i) => ({ i }))')
    await masterLib.pingAll()
    const overallStats = await masterLib.getOverallUsageStats()
    const { 'worker-1': one, 'worker-2': two } = overallStats.nested
    expect(one?.totalMemory).toBeGreaterThanOrEqual(32 * 1024 * 1024)
    expect(two?.totalMemory).toBeGreaterThanOrEqual(64 * 1024 * 1024)
    expect(two?.totalMemory).toBeGreaterThan(one?.totalMemory ?? 0)
    expect(two?.usedMemory).toBeGreaterThan(one?.usedMemory ?? 0)
    expect(overallStats.usedMemory).toBe((one?.usedMemory ?? 0) + (two?.usedMemory ?? 0))
    expect(overallStats.totalMemory).toBe((one?.totalMemory ?? 0) + (two?.totalMemory ?? 0))

    const combinedStats = await masterLib.getCombinedStats()
    expect(combinedStats.managedCount).toBe(2)
    expect(combinedStats.usedMemory).toBeGreaterThan(0)
    expect(combinedStats.responseAverageTime).toBeGreaterThan(0)
    expect(combinedStats.responseTime).toBeGreaterThanOrEqual(combinedStats.responseAverageTime)
    expect(`${combinedStats.memoryUsedPercentage.toFixed(1)}% ${combinedStats.responseAverageTime.toFixed(2)}ms`).toMatch(/^\d+\.\d% \d+\.\d\dms$/)
  })

  it('combines: usedMemory sum, percentage of summed limits, mean and max response time', async () => {
    const master = new VMMeasureMasterLibrary()
    const a = master.getNewLibrary('a')
    const b = master.getNewLibrary('b')
    await createTestVM([a], { memoryLimit: 16 })
    const vmB = await createTestVM([b], { memoryLimit: 48 })
    await vmB.run('globalThis.keep = new Array(300000).fill(0).map((_, i) => [i])')
    await master.pingAll()
    const overall = await master.getOverallUsageStats()
    const stats = Object.values(overall.nested)
    const used = stats.reduce((sum, s) => sum + s.usedMemory, 0)
    const total = stats.reduce((sum, s) => sum + s.totalMemory, 0)
    expect(overall.managedCount).toBe(2)
    expect(overall.usedMemory).toBe(used)
    expect(overall.memoryUsedPercentage).toBeCloseTo((used / total) * 100, 10)
    expect(overall.responseAverageTime).toBeCloseTo((stats[0]!.responseTime + stats[1]!.responseTime) / 2, 10)
    expect(overall.responseTime).toBe(Math.max(stats[0]!.responseTime, stats[1]!.responseTime))
    expect(overall.cpuTime).toBeCloseTo(stats[0]!.cpuTime + stats[1]!.cpuTime, 5)
    const combined = await master.getCombinedStats()
    expect(Object.keys(combined).sort()).toEqual(['managedCount', 'memoryUsedPercentage', 'responseAverageTime', 'responseTime', 'usedMemory'])
  })

  it('reports 0 for every number with nothing managed', async () => {
    const master = new VMMeasureMasterLibrary()
    const combined = await master.getCombinedStats()
    expect(combined).toEqual({ usedMemory: 0, memoryUsedPercentage: 0, responseAverageTime: 0, responseTime: 0, managedCount: 0 })
    expect(combined.responseAverageTime.toFixed(2)).toBe('0.00')
    expect(await master.getOverallUsageStats()).toEqual({ ...zeros, responseAverageTime: 0, managedCount: 0, nested: {} })
    await expect(master.pingAll()).resolves.toBeUndefined()
  })

  it('manages its own VM as "main" when it is one of the VM\'s libraries', async () => {
    const master = new VMMeasureMasterLibrary()
    const child = master.getNewLibrary('thread-1')
    expect(Object.keys((await master.getOverallUsageStats()).nested)).toEqual(['thread-1'])
    const main = await createTestVM([master])
    await createTestVM([child])
    const overall = await master.getOverallUsageStats()
    expect(Object.keys(overall.nested).sort()).toEqual(['main', 'thread-1'])
    expect(overall.nested.main?.totalMemory).toBeGreaterThan(0)
    expect((await master.getUsageStats()).totalMemory).toBe(overall.nested.main?.totalMemory)
    expect(() => master.getNewLibrary('main')).toThrow(expect.objectContaining({ code: 'VM_ERR_LIBRARY_CONFLICT' }))
    await main.dispose()
    expect(Object.keys((await master.getOverallUsageStats()).nested)).toEqual(['thread-1'])
  })

  it('gives children the master\'s responseTimeLimit unless they set their own', () => {
    const master = new VMMeasureMasterLibrary({ responseTimeLimit: 700 })
    expect(master.responseTimeLimit).toBe(700)
    expect(master.getNewLibrary('inherits').responseTimeLimit).toBe(700)
    expect(master.getNewLibrary('own', { responseTimeLimit: 300 }).responseTimeLimit).toBe(300)
    expect(new VMMeasureMasterLibrary().getNewLibrary('none').responseTimeLimit).toBeUndefined()
    expect(master.getNewLibrary('x')).toBeInstanceOf(VMMeasureLibrary)
  })

  it('panic-stops a child that inherited the limit; the child leaves the master, others keep running', async () => {
    const master = new VMMeasureMasterLibrary({ responseTimeLimit: 100 })
    const onCatastrophicError = vi.fn()
    const stuck = await createTestVM([master.getNewLibrary('stuck')], { onCatastrophicError })
    const healthy = await createTestVM([master.getNewLibrary('healthy')])
    const running = rejectionOf(stuck.run('while (true) {}'))
    await waitFor(() => onCatastrophicError.mock.calls.length > 0)
    expect(onCatastrophicError.mock.calls[0]?.[1]).toBeInstanceOf(VMUnresponsiveError)
    expect(onCatastrophicError.mock.calls[0]?.[1]).toMatchObject({ limit: 100 })
    expect(await running).toMatchObject({ code: 'VM_ERR_UNRESPONSIVE' })
    expect(Object.keys((await master.getOverallUsageStats()).nested)).toEqual(['healthy'])
    expect(await healthy.run('return "alive"')).toBe('alive')
  })

  it('pingAll() resolves once every VM answered or missed its limit', async () => {
    const master = new VMMeasureMasterLibrary({ responseTimeLimit: 200 })
    const onCatastrophicError = vi.fn()
    await createTestVM([master.getNewLibrary('fast')])
    const slow = await createTestVM([master.getNewLibrary('slow')], { onCatastrophicError })
    master.getNewLibrary('never-initialized')
    await master.pingAll()
    const answered = await master.getOverallUsageStats()
    expect(answered.nested.fast?.responseTime).toBeGreaterThan(0)
    expect(answered.nested.slow?.responseTime).toBeGreaterThan(0)
    expect(answered.nested['never-initialized']).toEqual(zeros)

    void slow.run('while (true) {}').catch(() => {})
    await sleep(20)
    const started = Date.now()
    await master.pingAll()
    expect(Date.now() - started).toBeLessThan(5000)
    expect(slow.isDisposed).toBe(true)
    expect(onCatastrophicError).toHaveBeenCalledTimes(1)
    expect(Object.keys((await master.getOverallUsageStats()).nested).sort()).toEqual(['fast', 'never-initialized'])
  })

  it('pingAll() waits a bounded time (about 1 s) for a stuck VM without a limit, whose responseTime then shows the wait', async () => {
    const master = new VMMeasureMasterLibrary()
    const vm = await createTestVM([master.getNewLibrary('stuck')])
    void vm.run('while (true) {}').catch(() => {})
    await sleep(20)
    const started = Date.now()
    await master.pingAll()
    const waited = Date.now() - started
    expect(waited).toBeGreaterThanOrEqual(900)
    expect(waited).toBeLessThan(5000)
    const combined = await master.getCombinedStats()
    expect(combined.responseTime).toBeGreaterThanOrEqual(900)
    expect(vm.isDisposed).toBe(false)
  })

  it('frees an id when its library is disposed; a live duplicate id throws VMLibraryConflictError', async () => {
    const master = new VMMeasureMasterLibrary()
    const first = master.getNewLibrary('worker')
    expect(() => master.getNewLibrary('worker')).toThrow(expect.objectContaining({ code: 'VM_ERR_LIBRARY_CONFLICT' }))
    const vm = await createTestVM([first])
    expect((await master.getCombinedStats()).managedCount).toBe(1)
    await vm.dispose()
    expect((await master.getCombinedStats()).managedCount).toBe(0)
    const second = master.getNewLibrary('worker')
    await createTestVM([second])
    expect(Object.keys((await master.getOverallUsageStats()).nested)).toEqual(['worker'])
    second.dispose()
    expect((await master.getCombinedStats()).managedCount).toBe(0)
  })

  it('fails initialize() with VMLibraryConflictError when a child already holds the id "main"', async () => {
    const master = new VMMeasureMasterLibrary()
    master.getNewLibrary('main')
    expect(await rejectionOf(trackVM(new VM([master])).initialize())).toMatchObject({ code: 'VM_ERR_LIBRARY_CONFLICT' })
  })

  it('rejects bad ids and options with VMInvalidArgumentError', () => {
    const master = new VMMeasureMasterLibrary()
    for (const id of ['', 7, undefined, null, {}]) {
      expect(() => master.getNewLibrary(id as never)).toThrow(expect.objectContaining({ code: 'VM_ERR_INVALID_ARGUMENT' }))
    }
    expect(() => master.getNewLibrary('a', null as never)).toThrow(expect.objectContaining({ code: 'VM_ERR_INVALID_ARGUMENT' }))
    expect(() => master.getNewLibrary('b', { responseTimeLimit: '5' } as never)).toThrow(expect.objectContaining({ code: 'VM_ERR_INVALID_ARGUMENT' }))
    expect(() => new VMMeasureMasterLibrary({ responseTimeLimit: -5 })).toThrow(expect.objectContaining({ code: 'VM_ERR_INVALID_ARGUMENT' }))
    expect(() => new VMMeasureMasterLibrary('fast' as never)).toThrow(expect.objectContaining({ code: 'VM_ERR_INVALID_ARGUMENT' }))
    expect(master.getNewLibrary('ok')).toBeInstanceOf(VMMeasureLibrary)
  })

  it('leaves no host timers behind once its VMs are disposed', async () => {
    await sleep(50)
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length
    const master = new VMMeasureMasterLibrary({ responseTimeLimit: 500 })
    const vms = [await createTestVM([master]), await createTestVM([master.getNewLibrary('a')]), await createTestVM([master.getNewLibrary('b')])]
    await master.pingAll()
    await Promise.all(vms.map((vm) => vm.dispose()))
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length).toBeLessThanOrEqual(before)
    expect((await master.getCombinedStats()).managedCount).toBe(0)
  })
})
