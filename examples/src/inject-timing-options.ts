// The reference README's VMInjectLibrary "Usage", VMTimingLibrary "Usage" and "Example with
// Options". Honest change: the inject example logs through console, so it gets a VMConsoleLibrary.
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM, VMInjectLibrary } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { VMTimingLibrary } from '@vm-machine/timing'
import { isMain } from './isMain.js'

export async function injectUsage() {
  const injectLib = new VMInjectLibrary({
    API_URL: 'https://api.example.com',
    version: '1.0.0',
    config: { retries: 3, timeout: 5000 },
    helperFunction: (x: number) => x * 2,
  })
  const vm = new VM([injectLib, new VMConsoleLibrary()])
  await vm.initialize()
  const code = `
    console.log('API URL:', API_URL);
    console.log('Version:', version);
    console.log('Config:', config);

    const doubled = helperFunction(21); // 42
    return { doubled, config };
  `
  const result = await vm.run(code)
  vm.dispose()
  return result
}

export async function timingUsage() {
  const lines: string[] = []
  const timingLib = new VMTimingLibrary({
    limitCount: 50, // Limit to 50 concurrent timers
  })
  const vm = new VM([timingLib, new VMConsoleLibrary((_level, ...args) => (lines.push(args.join(' ')), console.log(...args)))])
  await vm.initialize()
  const code = `
    let counter = 0;

    const intervalId = setInterval(() => {
      console.log('Counter:', ++counter);
      if (counter >= 3) {
        clearInterval(intervalId);
      }
    }, 1000);

    setTimeout(() => {
      console.log('Delayed execution');
    }, 2500);

    return { started: true };
  `
  const result = await vm.run(code)
  await new Promise((resolve) => setTimeout(resolve, 3300))
  vm.dispose()
  return { result, lines }
}

export async function vmOptions() {
  const events: string[] = []
  const consoleLib = new VMConsoleLibrary()
  const ipcRxLib = new VMIpcRxLibrary({ ping: async () => 'pong' })
  const ipcTxLib = new VMIpcLibrary()
  const vm = new VM([consoleLib, ipcRxLib, ipcTxLib], {
    memoryLimit: 128, // 128MB limit
    onError: (error) => (events.push(`error: ${error.message}`), console.error('VM Error:', error)),
    onCatastrophicError: (error) => (events.push(`catastrophic: ${error}`), console.error('Catastrophic:', error)),
    onEnd: () => (events.push('end'), console.log('VM execution completed')),
    onDispose: () => (events.push('dispose'), console.log('VM disposed')),
  })
  await vm.initialize()
  await vm.run('return { main: async () => await ping() }')
  await vm.run('throw new Error("runtime failure")').catch(() => {})
  const answer = await ipcTxLib.callIpc('main', [])
  vm.dispose()
  return { answer, events }
}

if (isMain(import.meta.url)) {
  console.log(await injectUsage())
  console.log(await timingUsage())
  console.log(await vmOptions())
}
