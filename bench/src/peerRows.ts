import vm from 'node:vm'
import { VM } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { getQuickJS } from 'quickjs-emscripten'
import { measure } from './harness.js'

export interface PeerRow {
  workload: string
  vmMachine: number
  quickjs: number | undefined
  nodeVm: number | undefined
  unit: string
  note?: string
}

/** The same workloads on the sandboxes a user might pick instead: facts only, for the README. */
export async function peerRows(): Promise<PeerRow[]> {
  const QuickJS = await getQuickJS()
  const rows: PeerRow[] = []

  const cold = await measure({
    vmMachine: async () => {
      const machine = new VM([])
      await machine.initialize()
      await machine.run('return 1')
      await machine.dispose()
    },
    quickjs: () => {
      const context = QuickJS.newContext()
      context.unwrapResult(context.evalCode('1')).dispose()
      context.dispose()
    },
    nodeVm: () => vm.runInContext('1', vm.createContext({})),
  })
  rows.push({ workload: 'cold sandbox: create + trivial eval + dispose', vmMachine: cold.vmMachine!.median, quickjs: cold.quickjs!.median, nodeVm: cold.nodeVm!.median, unit: 'ms' })

  const tx = new VMIpcLibrary()
  const rx = new VMIpcRxLibrary({ hostEcho: async (x: number) => x })
  const machine = new VM([tx, rx])
  await machine.initialize()
  await machine.run('return { echo: (x) => x, callHost: async (n) => { let s = 0; for (let i = 0; i < n; i++) s += await hostEcho(i); return s } }')
  const context = QuickJS.newContext()
  const quickEcho = context.unwrapResult(context.evalCode('(x) => x'))
  const hostEcho = context.newFunction('hostEcho', (handle) => context.newNumber(context.getNumber(handle)))
  context.setProp(context.global, 'hostEcho', hostEcho)
  hostEcho.dispose()
  const quickLoop = context.unwrapResult(context.evalCode('(n) => { let s = 0; for (let i = 0; i < n; i++) s += hostEcho(i); return s }'))
  const nodeContext = vm.createContext({ hostEcho: (x: number) => x })
  const nodeEcho = vm.runInContext('(x) => x', nodeContext) as (x: number) => number
  const nodeLoop = vm.runInContext('(n) => { let s = 0; for (let i = 0; i < n; i++) s += hostEcho(i); return s }', nodeContext) as (n: number) => number

  const call = await measure({
    vmMachine: () => tx.callIpc('echo', [1]),
    quickjs: () => {
      const arg = context.newNumber(1)
      const result = context.unwrapResult(context.callFunction(quickEcho, context.undefined, arg))
      context.getNumber(result)
      result.dispose()
      arg.dispose()
    },
    nodeVm: () => nodeEcho(1),
  })
  rows.push({ workload: 'host → sandbox function call', vmMachine: call.vmMachine!.median, quickjs: call.quickjs!.median, nodeVm: call.nodeVm!.median, unit: 'ms' })

  const loops = 100
  const back = await measure(
    {
      vmMachine: () => tx.callIpc('callHost', [loops]),
      quickjs: () => {
        const arg = context.newNumber(loops)
        context.unwrapResult(context.callFunction(quickLoop, context.undefined, arg)).dispose()
        arg.dispose()
      },
      nodeVm: () => nodeLoop(loops),
    },
    loops,
  )
  rows.push({ workload: 'sandbox → host call (vm-machine: awaited async; others: sync)', vmMachine: back.vmMachine!.median, quickjs: back.quickjs!.median, nodeVm: back.nodeVm!.median, unit: 'ms' })
  quickEcho.dispose()
  quickLoop.dispose()
  context.dispose()
  machine.dispose()

  const limit = 50
  const stopTimes = { vmMachine: [] as number[], quickjs: [] as number[], nodeVm: [] as number[] }
  for (let i = 0; i < 3; i++) {
    const runaway = new VM([], { timeout: limit, onCatastrophicError: () => {} })
    await runaway.initialize()
    let start = performance.now()
    await runaway.run('while (true) {}').catch(() => {})
    stopTimes.vmMachine.push(performance.now() - start)
    const runtime = QuickJS.newRuntime()
    const quick = runtime.newContext()
    const deadline = Date.now() + limit
    runtime.setInterruptHandler(() => Date.now() > deadline)
    start = performance.now()
    const outcome = quick.evalCode('while (true) {}')
    stopTimes.quickjs.push(performance.now() - start)
    if (outcome.error) outcome.error.dispose()
    quick.dispose()
    runtime.dispose()
    start = performance.now()
    try {
      vm.runInContext('while (true) {}', vm.createContext({}), { timeout: limit })
    } catch {
      stopTimes.nodeVm.push(performance.now() - start)
    }
  }
  const median = (list: number[]) => [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)] ?? 0
  rows.push({ workload: `while(true) → control back, ${limit} ms limit`, vmMachine: median(stopTimes.vmMachine), quickjs: median(stopTimes.quickjs), nodeVm: median(stopTimes.nodeVm), unit: 'ms', note: 'ms of wall time, not per-op' })
  return rows
}
