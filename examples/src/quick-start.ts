// The reference README's Quick Start, with only the import paths changed.
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { isMain } from './isMain.js'

export async function quickStart(): Promise<unknown> {
  // Create libraries
  const consoleLib = new VMConsoleLibrary()
  const ipcRxLib = new VMIpcRxLibrary({
    calculateSum: async (a: number, b: number) => a + b,
  })
  const ipcTxLib = new VMIpcLibrary()

  // Initialize VM
  const vm = new VM([consoleLib, ipcRxLib, ipcTxLib])
  await vm.initialize()

  // Execute code
  const code = `
    console.log('Hello from VM!');

    async function main() {
      const result = await calculateSum(5, 10);
      return { message: 'Calculation done', result };
    }

    return { main };
  `

  await vm.run(code)

  // Call VM function
  const result = await ipcTxLib.callIpc('main', [])
  console.log(result) // { message: 'Calculation done', result: 15 }

  // Cleanup
  vm.dispose()
  return result
}

if (isMain(import.meta.url)) await quickStart()
