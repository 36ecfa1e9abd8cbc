// The reference README's "Safe Code Execution with Data Processing", importing from the umbrella
// package `vm-machine` (only the import path changed). Honest change: `error` in the catch is
// `unknown` under TypeScript's strict mode, so its message is read safely.
import { VM, VMConsoleLibrary, VMInjectLibrary, VMIpcLibrary, VMIpcRxLibrary } from 'vm-machine'
import { isMain } from './isMain.js'

export class SafeCodeRunner {
  async executeUserCode(userCode: string, inputData: unknown): Promise<{ success: boolean; result?: unknown; error?: string }> {
    // Host functions available to VM
    const ipcRxLib = new VMIpcRxLibrary({
      // Provide safe data access
      getData: async (key: string) => {
        // Validate and return data safely
        if (key === 'input') return inputData
        throw new Error(`Access denied to: ${key}`)
      },
      // Provide safe logging
      logResult: async (message: string) => {
        console.log('VM Result:', message)
        return { logged: true }
      },
    })

    // VM function caller
    const ipcTxLib = new VMIpcLibrary({ timeout: 5000 })

    // Inject safe constants
    const injectLib = new VMInjectLibrary({
      MAX_ITEMS: 1000,
      API_VERSION: '1.0.0',
    })

    const vm = new VM([new VMConsoleLibrary(), ipcRxLib, ipcTxLib, injectLib], {
      memoryLimit: 32, // Limit memory
      onError: (error) => console.error('VM Error:', error),
    })

    try {
      await vm.initialize()
      await vm.run(userCode)
      // Call the main function if it exists
      const result = await ipcTxLib.callIpc('main', [])
      return { success: true, result }
    } catch (error) {
      return { success: false, error: error instanceof Error ? error.message : String(error) }
    } finally {
      vm.dispose()
    }
  }
}

export const userCode = `
  async function main() {
    console.log('Processing data with version:', API_VERSION);

    // Get input data from host
    const data = await getData('input');

    // Process the data safely
    const processed = data.map(x => x * 2).slice(0, MAX_ITEMS);

    // Log result
    await logResult(\`Processed \${processed.length} items\`);

    return { processed, count: processed.length, version: API_VERSION };
  }

  return { main };
`

export async function safeCodeRunner() {
  const runner = new SafeCodeRunner()
  const result = await runner.executeUserCode(userCode, [1, 2, 3, 4, 5])
  console.log(result)
  // Output: { success: true, result: { processed: [2, 4, 6, 8, 10], count: 5, version: '1.0.0' } }
  const denied = await runner.executeUserCode(`return { main: () => getData('secrets') }`, [])
  return { result, denied }
}

if (isMain(import.meta.url)) await safeCodeRunner()
