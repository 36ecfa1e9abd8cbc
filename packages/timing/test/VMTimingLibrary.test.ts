import { VMLibrary } from '@vm-machine/core'
import { VMTimingLibrary } from '@vm-machine/timing'
import { createTestVM, sleep, waitFor } from '@vm-machine/test-utils'
import { describe, expect, it, vi } from 'vitest'

class Collector extends VMLibrary {
  readonly events: unknown[] = []
  override getReferences() {
    return { emit: (value: unknown) => void this.events.push(value) }
  }
}

describe('VMTimingLibrary', () => {
  it('runs the reference example: an interval cleared after 3 ticks and a delayed timeout', async () => {
    const out = new Collector()
    const vm = await createTestVM([new VMTimingLibrary({ limitCount: 50 }), out])
    expect(
      await vm.run(`
      let counter = 0;
      const intervalId = setInterval(() => {
        emit('Counter: ' + ++counter);
        if (counter >= 3) clearInterval(intervalId);
      }, 20);
      setTimeout(() => emit('Delayed execution'), 90);
      return { started: true };`),
    ).toEqual({ started: true })
    await waitFor(() => out.events.length === 4)
    expect(out.events).toEqual(['Counter: 1', 'Counter: 2', 'Counter: 3', 'Delayed execution'])
    await sleep(60)
    expect(out.events).toHaveLength(4)
  })

  it('passes extra arguments to callbacks and supports setImmediate', async () => {
    const out = new Collector()
    const vm = await createTestVM([new VMTimingLibrary(), out])
    await vm.run('setTimeout((a, b) => emit(a + b), 1, 2, 3); setImmediate((x) => emit(x), "now")')
    await waitFor(() => out.events.length === 2)
    expect(out.events.sort()).toEqual([5, 'now'])
  })

  it('lets VM code await a timer (new Promise + setTimeout)', async () => {
    const vm = await createTestVM([new VMTimingLibrary()])
    const start = Date.now()
    expect(await vm.run('await new Promise((r) => setTimeout(r, 50)); return "done"')).toBe('done')
    expect(Date.now() - start).toBeGreaterThanOrEqual(45)
  })

  it('runs an interval missed while the VM was busy once, not once per missed tick', async () => {
    const vm = await createTestVM([new VMTimingLibrary()])
    await vm.run('globalThis.ticks = 0; setInterval(() => { ticks++ }, 1); const end = Date.now() + 300; while (Date.now() < end) {}')
    await sleep(20)
    // Each missed tick queued before: ~300 callbacks in a burst after the busy loop.
    expect(await vm.run('return ticks')).toBeLessThan(100)
  })

  it('clearTimeout prevents the callback and frees the slot', async () => {
    const out = new Collector()
    const timing = new VMTimingLibrary({ limitCount: 1 })
    const vm = await createTestVM([timing, out])
    await vm.run('const id = setTimeout(() => emit("no"), 20); clearTimeout(id); setTimeout(() => emit("yes"), 30)')
    await waitFor(() => out.events.length === 1)
    await sleep(30)
    expect(out.events).toEqual(['yes'])
  })

  it('throws a RangeError (VMLimitExceededError) in the VM past limitCount, host unaffected', async () => {
    const timing = new VMTimingLibrary({ limitCount: 3 })
    const vm = await createTestVM([timing])
    const result = await vm.run(`
      for (let i = 0; i < 3; i++) setTimeout(() => {}, 10_000)
      try { setTimeout(() => {}, 1) } catch (e) { return [e instanceof RangeError, e.name, e.code, e.message] }`)
    expect(result).toEqual([true, 'VMLimitExceededError', 'VM_ERR_LIMIT_EXCEEDED', expect.stringContaining('limitCount (3)')])
    expect(timing.activeCount).toBe(3)
  })

  it('frees a slot when a timeout fires, but an interval holds its slot until cleared', async () => {
    const out = new Collector()
    const vm = await createTestVM([new VMTimingLibrary({ limitCount: 1 }), out])
    await vm.run('setTimeout(() => emit("fired"), 5)')
    await waitFor(() => out.events.length === 1)
    expect(await vm.run('const id = setInterval(() => {}, 5); let threw = false; try { setTimeout(() => {}, 1) } catch { threw = true } clearInterval(id); setTimeout(() => {}, 1); return threw')).toBe(true)
  })

  it('defaults limitCount to 100', async () => {
    expect(new VMTimingLibrary().limitCount).toBe(100)
    const vm = await createTestVM([new VMTimingLibrary()])
    expect(await vm.run('let n = 0; try { for (;;) { setTimeout(() => {}, 60_000); n++ } } catch (e) { return n }')).toBe(100)
  })

  it('sends callback errors to onError without stopping other timers', async () => {
    const onError = vi.fn()
    const out = new Collector()
    const vm = await createTestVM([new VMTimingLibrary(), out], { onError })
    await vm.run(`
      let ticks = 0
      const id = setInterval(() => { ticks++; emit(ticks); if (ticks === 3) clearInterval(id) }, 10)
      setTimeout(() => { throw new Error('timer failed') }, 5)`)
    await waitFor(() => out.events.length === 3)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'VM_ERR_SCRIPT', message: 'timer failed' })
  })

  it('reports an unhandled rejection raised in a timer callback once', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([new VMTimingLibrary()], { onError })
    await vm.run('setTimeout(() => { Promise.reject(new Error("lost")) }, 1)')
    await waitFor(() => onError.mock.calls.length === 1)
    await sleep(20)
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'VM_ERR_UNHANDLED_REJECTION' })
  })

  it('clears every host timer on dispose', async () => {
    const timing = new VMTimingLibrary()
    const vm = await createTestVM([timing])
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length
    await vm.run('setInterval(() => {}, 1000); setTimeout(() => {}, 1000)')
    await waitFor(() => timing.activeCount === 2)
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before + 2)
    await vm.dispose()
    expect(timing.activeCount).toBe(0)
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBe(before)
  })

  it('rejects a callback that is not a function with a TypeError in the VM', async () => {
    const vm = await createTestVM([new VMTimingLibrary()])
    expect(await vm.run('try { setTimeout("code", 1) } catch (e) { return e instanceof TypeError }')).toBe(true)
  })

  it('rejects a bad limitCount', () => {
    expect(() => new VMTimingLibrary({ limitCount: -1 })).toThrow(/limitCount/)
    expect(() => new VMTimingLibrary({ limitCount: 1.5 })).toThrow(/limitCount/)
  })
})
