// The reference README's "Testing" example, in vitest instead of mocha/chai, importing from the
// umbrella package. Honest change: `vm = undefined` fails TypeScript's strict mode for a `let vm:
// VM`, so the variable is typed `VM | undefined`.
import { VM, VMIpcLibrary, VMIpcRxLibrary } from 'vm-machine'
import { afterEach, describe, expect, it } from 'vitest'

describe('Custom Tests', () => {
  let vm: VM | undefined

  afterEach(() => {
    if (vm) {
      vm.dispose()
      vm = undefined
    }
  })

  it('should execute code safely', async () => {
    const ipcRxLib = new VMIpcRxLibrary({
      testFunction: async () => 'success',
    })
    const ipcTxLib = new VMIpcLibrary()

    vm = new VM([ipcRxLib, ipcTxLib])
    await vm.initialize()

    const code = `
      async function main() {
        return await testFunction();
      }
      return { main };
    `

    await vm.run(code)
    const result = await ipcTxLib.callIpc('main', [])
    expect(result).toBe('success')
  })
})
