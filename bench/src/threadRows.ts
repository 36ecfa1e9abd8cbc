import { VM } from '@vm-machine/core'
import { VMIpcLibrary } from '@vm-machine/ipc'
import { VMThreadLibrary } from '@vm-machine/threads'
import type { Row } from './harness.js'
import { ivm } from './ivm.js'

const BURN = '(n) => { let x = 0; for (let i = 0; i < n; i++) x = (x + Math.sqrt(i)) % 1e9; return x }'
const WORK = `exposeCallables({ burn: ${BURN} })`

/**
 * 6. Two CPU-bound threads at once vs the same two jobs one after another, beside the same job in
 * two raw isolated-vm isolates (alternating with ours, so both see the same machine).
 */
export async function parallelThreads(): Promise<Row> {
  const tx = new VMIpcLibrary({ timeout: 0 })
  const vm = new VM([new VMThreadLibrary({ getThreadLibraries: () => [] }), tx])
  await vm.initialize()
  await vm.run(`
    const [a, b] = [await startThread(${JSON.stringify(WORK)}), await startThread(${JSON.stringify(WORK)})]
    return {
      parallel: async (n) => { const t = Date.now(); await Promise.all([a.burn(n), b.burn(n)]); return Date.now() - t },
      serial: async (n) => { const t = Date.now(); await a.burn(n); await b.burn(n); return Date.now() - t },
    }`)
  const isolates = [new ivm.Isolate({ memoryLimit: 64 }), new ivm.Isolate({ memoryLimit: 64 })]
  const burns = await Promise.all(isolates.map(async (isolate) => (await (await isolate.createContext()).eval(BURN, { reference: true })) as InstanceType<typeof ivm.Reference>))
  const burnRaw = (burn: InstanceType<typeof ivm.Reference> | undefined, n: number) => burn?.apply(undefined, [n], { result: { copy: true } })
  const raw = (n: number) => Promise.all(burns.map((burn) => burnRaw(burn, n)))
  const timed = async (work: () => Promise<unknown>) => {
    const start = Date.now()
    await work()
    return Date.now() - start
  }

  const n = 12_000_000
  await tx.callIpc('parallel', [n / 10])
  await raw(n / 10)
  // A 15M-step job took from 213 to 339 ms on this machine from one run to the next (other
  // tenants share its two cores), in both phases alike. Noise only ever adds time, so each phase
  // counts with its fastest of 10 alternating runs: what the machine does when nothing interferes.
  const times = { serial: [] as number[], parallel: [] as number[], rawSerial: [] as number[], rawParallel: [] as number[] }
  // The side that goes second in a round measured faster (ours first: 0.05–0.14 below raw in
  // every run; raw first: the gap turned around), so the sides take turns going first.
  const ours = async () => {
    times.serial.push((await tx.callIpc('serial', [n])) as number)
    times.parallel.push((await tx.callIpc('parallel', [n])) as number)
  }
  const rawPhases = async () => {
    times.rawSerial.push(
      await timed(async () => {
        await burnRaw(burns[0], n)
        await burnRaw(burns[1], n)
      }),
    )
    times.rawParallel.push(await timed(() => raw(n)))
  }
  for (let round = 0; round < 10; round++) {
    if (round % 2 === 0) {
      await ours()
      await rawPhases()
    } else {
      await rawPhases()
      await ours()
    }
  }
  vm.dispose()
  for (const isolate of isolates) isolate.dispose()
  const fastest = (list: number[]) => Math.min(...list)
  const speedup = fastest(times.serial) / fastest(times.parallel)
  const rawSpeedup = fastest(times.rawSerial) / fastest(times.rawParallel)
  return {
    id: '6',
    name: 'two CPU-bound threads at once vs one after another',
    ours: fastest(times.parallel),
    raw: fastest(times.serial),
    unit: 'ms',
    ratio: speedup,
    target: '≥ 1.9× speedup',
    pass: speedup >= 1.9,
    note: `ours = parallel, raw = serial, fastest of 10 runs each; two raw isolated-vm isolates, same runs: ${rawSpeedup.toFixed(2)}×`,
  }
}
