// The reference README's "Mathematical Expression Evaluator". Note: its onError throws; vm-machine
// contains a throwing onError (it is reported with process.emitWarning, never an uncaught
// exception), and the evaluation error still reaches the caller through run()/callIpc.
import { VM, VMInjectLibrary } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { isMain } from './isMain.js'

export class MathEvaluator {
  async evaluateExpression(expression: string, variables: Record<string, number> = {}): Promise<number> {
    // Provide math functions to VM
    const ipcRxLib = new VMIpcRxLibrary({
      // Safe math operations
      pow: async (base: number, exponent: number) => Math.pow(base, exponent),
      sqrt: async (x: number) => Math.sqrt(x),
      sin: async (x: number) => Math.sin(x),
      cos: async (x: number) => Math.cos(x),
      log: async (x: number) => Math.log(x),
    })

    const ipcTxLib = new VMIpcLibrary()

    // Inject variables
    const injectLib = new VMInjectLibrary(variables)

    const vm = new VM([ipcRxLib, ipcTxLib, injectLib], {
      memoryLimit: 8, // Very small for math operations
      onError: (error) => {
        throw new Error(`Math evaluation error: ${error.message}`)
      },
    })

    try {
      await vm.initialize()
      const code = `
        async function evaluate() {
          // User's expression is evaluated here safely
          return ${expression};
        }
        return { evaluate };
      `
      await vm.run(code)
      return (await ipcTxLib.callIpc('evaluate', [])) as number
    } finally {
      vm.dispose()
    }
  }
}

export async function mathEvaluator() {
  const evaluator = new MathEvaluator()
  const simple = await evaluator.evaluateExpression('2 + 3 * 4') // 14
  const withVariables = await evaluator.evaluateExpression('x * y + z', { x: 5, y: 10, z: 2 }) // 52
  const withFunctions = await evaluator.evaluateExpression('await pow(2, 3) + await sqrt(16)') // 12
  console.log({ simple, withVariables, withFunctions })
  return { simple, withVariables, withFunctions }
}

if (isMain(import.meta.url)) await mathEvaluator()
