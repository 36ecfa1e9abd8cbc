import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { VMMeasureLibrary } from '@vm-machine/measure'
import { sleep } from '@vm-machine/test-utils'
import { VMThreadLibrary } from '@vm-machine/threads'
import { VMTimingLibrary } from '@vm-machine/timing'
import { describe, expect, it } from 'vitest'

// Stated bounds: RSS growth over the measured phase, after a warm-up phase.
const LIFECYCLE_RSS_BOUND_MB = 96
const CONCURRENT_RSS_BOUND_MB = 96

const handles = () => process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap' && kind !== 'FSReqCallback')

function allPlugins() {
  const codebase = new VMCodeBaseLibrary()
  codebase.getFs().writeFileSync('/w.js', 'exposeCallables({ twice: (n) => n * 2 })')
  const tx = new VMIpcLibrary()
  const vm = new VM([
    new VMConsoleLibrary(() => {}),
    codebase,
    tx,
    new VMIpcRxLibrary({ add: async (a: number, b: number) => a + b }),
    new VMTimingLibrary(),
    new VMMeasureLibrary({ responseTimeLimit: 5000 }),
    new VMThreadLibrary({ getThreadLibraries: () => [] }),
  ])
  return { vm, tx }
}

describe('soak', () => {
  it('1,000 VM lifecycles with every plugin: RSS within the bound, no leaked handles, no unhandled rejections', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    const baseline = handles().length
    const cycle = async (i: number, withThread: boolean) => {
      const { vm, tx } = allPlugins()
      await vm.initialize()
      await vm.run(`
        require('fs').writeFileSync('/out', String(${i}))
        setTimeout(() => {}, 10000)
        return { main: async () => { const sum = await add(${i}, 1); ${withThread ? 'const t = await startThread("/w.js"); return t.twice(sum)' : 'return sum * 2'} } }`)
      expect(await tx.callIpc('main')).toBe((i + 1) * 2)
      await vm.dispose()
    }
    try {
      for (let i = 0; i < 100; i++) await cycle(i, i % 10 === 0)
      global.gc?.()
      const before = process.memoryUsage().rss
      for (let i = 0; i < 1000; i++) await cycle(i, i % 10 === 0)
      global.gc?.()
      await sleep(50)
      const growthMb = (process.memoryUsage().rss - before) / 1024 / 1024
      console.log(`soak: RSS growth over 1,000 lifecycles with every plugin: ${growthMb.toFixed(1)} MB`)
      expect(growthMb).toBeLessThan(LIFECYCLE_RSS_BOUND_MB)
      expect(handles().length).toBeLessThanOrEqual(baseline)
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  }, 240_000)

  it('100 concurrent VMs doing IPC: all answers right, RSS bounded, everything released', async () => {
    const baseline = handles().length
    const round = async () => {
      const vms = Array.from({ length: 100 }, (_, i) => {
        const tx = new VMIpcLibrary()
        const vm = new VM([tx, new VMIpcRxLibrary({ scale: async (n: number) => n * i })], { memoryLimit: 16 })
        return { vm, tx, i }
      })
      await Promise.all(vms.map(({ vm }) => vm.initialize()))
      await Promise.all(vms.map(({ vm }) => vm.run('return { work: async (n) => { let s = 0; for (let k = 0; k < n; k++) s += await scale(k); return s } }')))
      const results = await Promise.all(vms.map(({ tx }) => tx.callIpc('work', [50])))
      results.forEach((value, i) => expect(value).toBe(i * ((49 * 50) / 2)))
      await Promise.all(vms.map(({ vm }) => vm.dispose()))
    }
    await round()
    global.gc?.()
    const before = process.memoryUsage().rss
    for (let i = 0; i < 5; i++) await round()
    global.gc?.()
    const growthMb = (process.memoryUsage().rss - before) / 1024 / 1024
    console.log(`soak: RSS growth over 5 rounds of 100 concurrent VMs: ${growthMb.toFixed(1)} MB`)
    expect(growthMb).toBeLessThan(CONCURRENT_RSS_BOUND_MB)
    expect(handles().length).toBeLessThanOrEqual(baseline)
  }, 120_000)
})
