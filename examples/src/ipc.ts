// The reference README's "Complete IPC Example" and "IPC Errors". The reference's `database` is the
// reader's own; here it is a small in-memory store, honestly labelled.
import { VM } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { isMain } from './isMain.js'

const database = {
  users: new Map([[123, { id: 123, name: 'Ada' }]]),
  saved: [] as unknown[],
  async save(data: unknown) {
    this.saved.push(data)
    return { ok: true, count: this.saved.length }
  },
}

export async function completeIpc() {
  // Host functions callable from VM
  const ipcRxLib = new VMIpcRxLibrary({
    fetchUser: async (id: number) => database.users.get(id),
    saveData: async (data: unknown) => await database.save(data),
    delay: async (ms: number) => {
      await new Promise((resolve) => setTimeout(resolve, ms))
    },
    riskyOperation: async (data: unknown) => {
      if (!data) throw new Error('Data is required')
      return { processed: data }
    },
  })

  // VM function call handler with timeout
  const ipcTxLib = new VMIpcLibrary({
    timeout: 10000, // 10 second timeout for VM function calls
  })

  const vm = new VM([ipcRxLib, ipcTxLib])
  await vm.initialize()

  const code = `
    // VM can call host functions (via VMIpcRxLibrary)
    async function processUser(userId) {
      const user = await fetchUser(userId); // Calls host function
      await delay(100); // Calls host function
      const processed = { ...user, processedAt: new Date().toISOString() };
      await saveData(processed); // Calls host function
      return processed;
    }

    // IPC Errors: host throws reach the VM as Errors
    async function main() {
      try {
        const result = await riskyOperation(null);
        return { success: true, result };
      } catch (error) {
        return { success: false, error: error.message };
      }
    }

    // Return functions that host can call
    return { processUser, main };
  `
  await vm.run(code)

  // Host calls VM function (via VMIpcLibrary)
  const result = await ipcTxLib.callIpc('processUser', [123])
  const errorHandling = await ipcTxLib.callIpc('main', [])
  console.log(result, errorHandling)
  vm.dispose()
  return { result, errorHandling, saved: database.saved }
}

if (isMain(import.meta.url)) await completeIpc()
