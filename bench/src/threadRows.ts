import { VM } from '@vm-machine/core'
import { VMIpcLibrary } from '@vm-machine/ipc'
import { VMThreadLibrary } from '@vm-machine/threads'
import type { Row } from './harness.js'

const WORK = 'exposeCallables({ burn: (n) => { let x = 0; for (let i = 0; i < n; i++) x = (x + Math.sqrt(i)) % 1e9; return x } })'

/** 6. Two CPU-bound threads at once vs the same two jobs one after another. */
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
  const n = 30_000_000
  await tx.callIpc('parallel', [n / 10])
  const parallel: number[] = []
  const serial: number[] = []
  for (let round = 0; round < 3; round++) {
    serial.push((await tx.callIpc('serial', [n])) as number)
    parallel.push((await tx.callIpc('parallel', [n])) as number)
  }
  vm.dispose()
  const median = (list: number[]) => [...list].sort((x, y) => x - y)[1] ?? 0
  const speedup = median(serial) / median(parallel)
  return { id: '6', name: 'two CPU-bound threads at once vs one after another', ours: median(parallel), raw: median(serial), unit: 'ms', ratio: speedup, target: '≥ 1.9× speedup', pass: speedup >= 1.9, note: 'ours = parallel, raw = serial; ratio = speedup' }
}
