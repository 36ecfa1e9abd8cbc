import vm from 'node:vm'
import { VM } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { getQuickJS } from 'quickjs-emscripten'
import { VM as VM2 } from 'vm2'
import { measure } from './harness.js'

export interface PeerRow {
  workload: string
  vmMachine: number
  quickjs: number | undefined
  nodeVm: number | undefined
  vm2: number | undefined
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
    vm2: () => new VM2().run('1'),
  })
  rows.push({ workload: 'cold sandbox: create + trivial eval + dispose', vmMachine: cold.vmMachine!.median, quickjs: cold.quickjs!.median, nodeVm: cold.nodeVm!.median, vm2: cold.vm2!.median, unit: 'ms' })

  const tx = new VMIpcLibrary()
  const rx = new VMIpcRxLibrary({ hostEcho: async (x: number) => x })
  const machine = new VM([tx, rx])
  await machine.initialize()
  await machine.run('return { echo: (x) => x, callHost: async (n) => { let s = 0; for (let i = 0; i < n; i++) s += await hostEcho(i); return s }, cpu: () => { let s = 0; for (let i = 0; i < 2000000; i++) s += Math.sqrt(i); return s } }')
  const context = QuickJS.newContext()
  const quickEcho = context.unwrapResult(context.evalCode('(x) => x'))
  const hostEcho = context.newFunction('hostEcho', (handle) => context.newNumber(context.getNumber(handle)))
  context.setProp(context.global, 'hostEcho', hostEcho)
  hostEcho.dispose()
  const quickLoop = context.unwrapResult(context.evalCode('(n) => { let s = 0; for (let i = 0; i < n; i++) s += hostEcho(i); return s }'))
  const nodeContext = vm.createContext({ hostEcho: (x: number) => x })
  const nodeEcho = vm.runInContext('(x) => x', nodeContext) as (x: number) => number
  const nodeLoop = vm.runInContext('(n) => { let s = 0; for (let i = 0; i < n; i++) s += hostEcho(i); return s }', nodeContext) as (n: number) => number
  const sandbox2 = new VM2({ sandbox: { hostEcho: (x: number) => x } })
  const vm2Echo = sandbox2.run('(x) => x') as (x: number) => number
  const vm2Loop = sandbox2.run('(n) => { let s = 0; for (let i = 0; i < n; i++) s += hostEcho(i); return s }') as (n: number) => number

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
    vm2: () => vm2Echo(1),
  })
  rows.push({ workload: 'host → sandbox function call', vmMachine: call.vmMachine!.median, quickjs: call.quickjs!.median, nodeVm: call.nodeVm!.median, vm2: call.vm2!.median, unit: 'ms' })

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
      vm2: () => vm2Loop(loops),
    },
    loops,
  )
  rows.push({ workload: 'sandbox → host call (vm-machine: awaited async; others: sync)', vmMachine: back.vmMachine!.median, quickjs: back.quickjs!.median, nodeVm: back.nodeVm!.median, vm2: back.vm2!.median, unit: 'ms' })

  // Each sandbox compiles the function once; the timed part is calling it.
  const cpuFunction = '() => { let s = 0; for (let i = 0; i < 2000000; i++) s += Math.sqrt(i); return s }'
  const nodeCpu = vm.runInContext(cpuFunction, vm.createContext({})) as () => number
  const vm2Cpu = new VM2().run(cpuFunction) as () => number
  const quickCpu = context.unwrapResult(context.evalCode(cpuFunction))
  // A few timed runs each (a QuickJS run takes about a second: tinybench's minimum iterations would take minutes).
  const timeIt = async (fn: () => unknown) => {
    const times: number[] = []
    for (let i = 0; i < 3; i++) {
      const start = performance.now()
      await fn()
      times.push(performance.now() - start)
    }
    return { median: [...times].sort((a, b) => a - b)[1] ?? 0 }
  }
  const cpu = {
    vmMachine: await timeIt(() => tx.callIpc('cpu', [])),
    quickjs: await timeIt(() => context.unwrapResult(context.callFunction(quickCpu, context.undefined)).dispose()),
    nodeVm: await timeIt(() => nodeCpu()),
    vm2: await timeIt(() => vm2Cpu()),
  }
  quickCpu.dispose()
  rows.push({ workload: 'CPU work: 2,000,000 × Math.sqrt in the sandbox', vmMachine: cpu.vmMachine!.median, quickjs: cpu.quickjs!.median, nodeVm: cpu.nodeVm!.median, vm2: cpu.vm2!.median, unit: 'ms' })
  quickEcho.dispose()
  quickLoop.dispose()
  context.dispose()
  machine.dispose()

  const limit = 50
  const stopTimes = { vmMachine: [] as number[], quickjs: [] as number[], nodeVm: [] as number[], vm2: [] as number[] }
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
    start = performance.now()
    try {
      new VM2({ timeout: limit }).run('while (true) {}')
    } catch {
      stopTimes.vm2.push(performance.now() - start)
    }
  }
  const median = (list: number[]) => [...list].sort((x, y) => x - y)[Math.floor(list.length / 2)] ?? 0
  rows.push({ workload: `while(true) → control back, ${limit} ms limit`, vmMachine: median(stopTimes.vmMachine), quickjs: median(stopTimes.quickjs), nodeVm: median(stopTimes.nodeVm), vm2: median(stopTimes.vm2), unit: 'ms', note: 'ms of wall time, not per-op' })
  return rows
}
