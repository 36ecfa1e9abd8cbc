import { VM, VMInjectLibrary } from '@vm-machine/core'
import { describe, expect, it } from 'vitest'

// RSS bound for 1,000 cycles after warm-up. An isolate that leaked would cost ~1 MB each.
const RSS_GROWTH_BOUND_MB = 64

describe('VM lifecycle soak', () => {
  it('runs 1,000 sequential create/initialize/run/dispose cycles without RSS growth beyond the bound', async () => {
    const cycle = async (i: number) => {
      const vm = new VM([new VMInjectLibrary({ i, helper: (x: number) => x + 1 })])
      await vm.initialize()
      await vm.run('return { main: () => helper(i) }')
      expect(await vm.call('main')).toBe(i + 1)
      await vm.dispose()
    }
    for (let i = 0; i < 100; i++) await cycle(i)
    global.gc?.()
    const before = process.memoryUsage().rss
    for (let i = 0; i < 1000; i++) await cycle(i)
    global.gc?.()
    const growthMb = (process.memoryUsage().rss - before) / 1024 / 1024
    console.log(`RSS growth over 1,000 cycles: ${growthMb.toFixed(1)} MB`)
    expect(growthMb).toBeLessThan(RSS_GROWTH_BOUND_MB)
  }, 120_000)
})
