import { VMConsoleLibrary } from '@vm-machine/console'
import { VM } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { VMMeasureLibrary } from '@vm-machine/measure'
import { VMTimingLibrary } from '@vm-machine/timing'
import { type Row, measure, timeRow } from './harness.js'
import { ivm } from './ivm.js'

const quiet = () => {}

/** 1. Cold VM: create + initialize (console, ipc, timing) + trivial run + dispose. */
export async function coldVm(): Promise<Row> {
  const samples = await measure({
    ours: async () => {
      const vm = new VM([new VMConsoleLibrary(quiet), new VMIpcRxLibrary({ f: async () => 1 }), new VMIpcLibrary(), new VMTimingLibrary()])
      await vm.initialize()
      await vm.run('return 1')
      await vm.dispose()
    },
    raw: async () => {
      const isolate = new ivm.Isolate({ memoryLimit: 64 })
      const context = await isolate.createContext()
      await context.eval('1')
      isolate.dispose()
    },
  })
  return timeRow('1', 'cold VM (console+ipc+timing) vs isolate+context+eval', samples.ours!, samples.raw!, 1.3)
}

/** 2. Host → VM callIpc round trip vs raw Reference.apply. */
export async function hostToVm(): Promise<Row> {
  const tx = new VMIpcLibrary()
  const vm = new VM([tx])
  await vm.initialize()
  await vm.run('return { echo: async (x) => x }')
  const isolate = new ivm.Isolate({ memoryLimit: 64 })
  const context = await isolate.createContext()
  const echo = (await context.eval('(async (x) => x)', { reference: true })) as IVMReference
  const samples = await measure({
    ours: () => tx.callIpc('echo', [1]),
    raw: () => echo.apply(undefined, [1], { arguments: { copy: true }, result: { promise: true, copy: true } }),
  })
  vm.dispose()
  isolate.dispose()
  return timeRow('2', 'host → VM callIpc round trip vs Reference.apply', samples.ours!, samples.raw!, 1.2)
}

type IVMReference = InstanceType<typeof ivm.Reference>

/**
 * 3. VM → host awaited call. Like for like: VMIpcRxLibrary in 'blocking' mode vs raw
 * applySyncPromise (both block the VM's thread until the host answers), and the default 'async'
 * mode (the VM keeps running) vs the raw non-blocking pattern: an ignored Callback out, a Reference
 * apply back. 100 calls per sample.
 */
export async function vmToHost(): Promise<Row[]> {
  const calls = 100
  const loopCode = `return { loop: async (n) => { let s = 0; for (let i = 0; i < n; i++) s += await hostEcho(i); return s } }`
  const blockingTx = new VMIpcLibrary()
  const blockingVm = new VM([blockingTx, new VMIpcRxLibrary({ hostEcho: async (x: number) => x }, { mode: 'blocking' })])
  await blockingVm.initialize()
  await blockingVm.run(loopCode)
  const asyncTx = new VMIpcLibrary()
  const asyncVm = new VM([asyncTx, new VMIpcRxLibrary({ hostEcho: async (x: number) => x })])
  await asyncVm.initialize()
  await asyncVm.run(loopCode)

  const isolate = new ivm.Isolate({ memoryLimit: 64 })
  const context = await isolate.createContext()
  let reply: IVMReference | undefined
  const hostRef = new ivm.Reference(async (x: number) => x)
  const send = new ivm.Callback(
    (id: number, x: number) => {
      Promise.resolve(x).then((value) => reply?.apply(undefined, [id, value]).catch(() => {}))
    },
    { ignored: true },
  )
  const api = (await context.evalClosure(
    `const calls = new Map(); let next = 0
    const call = (x) => new Promise((resolve) => { const id = next++; calls.set(id, resolve); $1(id, x) })
    return {
      reply: (id, value) => { const resolve = calls.get(id); calls.delete(id); resolve(value) },
      blocking: async (n) => { let s = 0; for (let i = 0; i < n; i++) s += $0.applySyncPromise(undefined, [i]); return s },
      nonBlocking: async (n) => { let s = 0; for (let i = 0; i < n; i++) s += await call(i); return s },
    }`,
    [hostRef, send],
    { result: { reference: true } },
  )) as IVMReference
  const entry = async (key: string) => (await api.get(key as never, { reference: true })) as IVMReference
  reply = await entry('reply')
  const rawBlocking = await entry('blocking')
  const rawNonBlocking = await entry('nonBlocking')
  const samples = await measure(
    {
      blocking: () => blockingTx.callIpc('loop', [calls]),
      rawBlocking: () => rawBlocking.apply(undefined, [calls], { result: { promise: true, copy: true } }),
      async: () => asyncTx.callIpc('loop', [calls]),
      rawNonBlocking: () => rawNonBlocking.apply(undefined, [calls], { result: { promise: true, copy: true } }),
    },
    calls,
  )
  blockingVm.dispose()
  asyncVm.dispose()
  isolate.dispose()
  const vsSyncPromise = samples.async!.median / samples.rawBlocking!.median
  return [
    timeRow('3', "VM → host awaited call, mode 'blocking' vs applySyncPromise", samples.blocking!, samples.rawBlocking!, 1.2),
    timeRow('3b', "VM → host awaited call, mode 'async' vs raw non-blocking", samples.async!, samples.rawNonBlocking!, 1.2, `default mode; ${vsSyncPromise.toFixed(2)}× of applySyncPromise, which blocks the VM`),
  ]
}

/** 4. A 1 MB object round trip (host → VM → host). */
export async function bigObject(): Promise<Row> {
  const payload = Array.from({ length: 13000 }, (_, i) => ({ id: i, name: `item-${i}`, tags: ['a', 'b'], score: i / 7, ok: i % 2 === 0 }))
  const size = Buffer.byteLength(JSON.stringify(payload))
  const tx = new VMIpcLibrary()
  const vm = new VM([tx])
  await vm.initialize()
  await vm.run('return { echo: (x) => x }')
  const isolate = new ivm.Isolate({ memoryLimit: 64 })
  const context = await isolate.createContext()
  const echo = (await context.eval('((x) => x)', { reference: true })) as IVMReference
  const samples = await measure(
    {
      ours: () => tx.callIpc('echo', [payload]),
      raw: () => echo.apply(undefined, [payload], { arguments: { copy: true }, result: { copy: true } }),
    },
    // A round trip takes ~60 ms and varies by ±15% (garbage collection): four per round, 20 rounds.
    1,
    20,
    20,
  )
  vm.dispose()
  isolate.dispose()
  const row = timeRow('4', `${(size / 1024 / 1024).toFixed(2)} MB object round trip (throughput)`, samples.ours!, samples.raw!, 1 / 0.9)
  return { ...row, ratio: samples.raw!.median / samples.ours!.median, target: '≥ 0.9× throughput', pass: samples.raw!.median / samples.ours!.median >= 0.9 }
}

/** 7. RSS per idle VM with 100 alive. */
export async function idleRss(): Promise<Row> {
  const count = 100
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      global.gc?.()
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    return process.memoryUsage().rss
  }
  const rawBefore = await settle()
  const isolates = []
  for (let i = 0; i < count; i++) {
    const isolate = new ivm.Isolate({ memoryLimit: 64 })
    const context = await isolate.createContext()
    await context.eval('1')
    isolates.push(isolate)
  }
  const rawPer = ((await settle()) - rawBefore) / count / 1024 / 1024
  for (const isolate of isolates) isolate.dispose()
  const oursBefore = await settle()
  const vms: VM[] = []
  for (let i = 0; i < count; i++) {
    const vm = new VM([new VMConsoleLibrary(quiet), new VMIpcRxLibrary({ f: async () => 1 }), new VMIpcLibrary(), new VMTimingLibrary()])
    await vm.initialize()
    await vm.run('return 1')
    vms.push(vm)
  }
  const oursPer = ((await settle()) - oursBefore) / count / 1024 / 1024
  await Promise.all(vms.map((vm) => vm.dispose()))
  const ratio = oursPer / rawPer
  return { id: '7', name: `RSS per idle VM, ${count} alive (console+ipc+timing)`, ours: oursPer, raw: rawPer, unit: 'MB', ratio, target: '≤ 1.2×', pass: ratio <= 1.2 }
}

/** 8. Time from `while(true){}` to control back, 50 ms timeout. */
export async function runaway(): Promise<Row> {
  const limit = 50
  const times: number[] = []
  for (let i = 0; i < 5; i++) {
    const vm = new VM([], { timeout: limit, onCatastrophicError: quiet })
    await vm.initialize()
    const start = performance.now()
    await vm.run('while (true) {}').catch(() => {})
    times.push(performance.now() - start)
  }
  const rawTimes: number[] = []
  for (let i = 0; i < 5; i++) {
    const isolate = new ivm.Isolate({ memoryLimit: 64 })
    const context = await isolate.createContext()
    const start = performance.now()
    await context.eval('while (true) {}', { timeout: limit }).catch(() => {})
    rawTimes.push(performance.now() - start)
    isolate.dispose()
  }
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0
  const ours = median(times)
  return { id: '8', name: `while(true) → control back, timeout ${limit} ms`, ours, raw: median(rawTimes), unit: 'ms', ratio: ours / median(rawTimes), target: `≤ ${limit + 10} ms`, pass: ours <= limit + 10 }
}

/** Console: 1,000 console.log calls in the VM (fire-and-forget) vs 1,000 raw sync host calls. */
export async function consoleCost(): Promise<Row> {
  const tx = new VMIpcLibrary()
  const vm = new VM([tx, new VMConsoleLibrary(quiet)])
  await vm.initialize()
  await vm.run('return { logs: (n) => { for (let i = 0; i < n; i++) console.log("line", i) } }')
  const isolate = new ivm.Isolate({ memoryLimit: 64 })
  const context = await isolate.createContext()
  const loop = (await context.evalClosure(`return (n) => { for (let i = 0; i < n; i++) $0('line', i) }`, [new ivm.Callback(quiet)], {
    result: { reference: true },
  })) as IVMReference
  const n = 1000
  // A raw sample (1,000 sync host calls) takes ~40 ms: five longer rounds, several samples each.
  const samples = await measure({ ours: () => tx.callIpc('logs', [n]), raw: () => loop.apply(undefined, [n]) }, n, 700, 5)
  vm.dispose()
  isolate.dispose()
  return timeRow('c', 'console.log in the VM vs a sync host call per line', samples.ours!, samples.raw!, 1, 'logging never waits for the host: below 1× means no round trip per call')
}

/** Measure: time from an un-awaited `while(true){}` to onCatastrophicError, responseTimeLimit 50 ms, vs core's timeout. */
export async function measureRunaway(): Promise<Row> {
  const limit = 50
  const stop = async (libraries: () => VMMeasureLibrary[], options: { timeout?: number }) => {
    const times: number[] = []
    for (let i = 0; i < 5; i++) {
      let stopped: (() => void) | undefined
      const done = new Promise<void>((resolve) => (stopped = resolve))
      let end = 0
      const onCatastrophicError = () => {
        end = performance.now()
        stopped?.()
      }
      const vm = new VM(libraries(), { ...options, onCatastrophicError })
      await vm.initialize()
      // Let the VM idle first: a runaway usually starts in a VM that has been alive a while.
      await new Promise((resolve) => setTimeout(resolve, 2 * limit))
      const start = performance.now()
      vm.run('while (true) {}').catch(() => {})
      await done
      times.push(end - start)
    }
    return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] ?? 0
  }
  const ours = await stop(() => [new VMMeasureLibrary({ responseTimeLimit: limit })], {})
  const raw = await stop(() => [], { timeout: limit })
  return {
    id: 'm',
    name: `un-awaited while(true) → panic stop, responseTimeLimit ${limit} ms`,
    ours,
    raw,
    unit: 'ms',
    ratio: ours / raw,
    target: `≤ ${limit + 10} ms`,
    pass: ours <= limit + 10,
    note: "raw: the same VM with core's timeout instead of measure",
  }
}
