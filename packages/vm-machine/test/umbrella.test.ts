import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import * as scoped from '@vm-machine/core'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'

const packageDir = fileURLToPath(new URL('..', import.meta.url))
const built = existsSync(new URL('../dist/index.js', import.meta.url))

describe('vm-machine (umbrella)', () => {
  it('exports every class of the reference under its reference name', async () => {
    const umbrella = await import('vm-machine')
    for (const name of [
      'VM', 'VMLibrary', 'VMLibraryGroup', 'VMInjectLibrary', 'VMConsoleLibrary', 'VMIpcRxLibrary', 'VMIpcLibrary', 'VMIpcTxLibrary',
      'VMTimingLibrary', 'VMCodeBaseLibrary', 'VMMeasureLibrary', 'VMMeasureMasterLibrary', 'VMThreadLibrary',
    ]) {
      expect(typeof (umbrella as Record<string, unknown>)[name], name).toBe('function')
    }
    expect(umbrella.VM).toBe(scoped.VM)
    expect(umbrella.VMIpcTxLibrary).toBe(umbrella.VMIpcLibrary)
  })

  it("re-exports every export of core and of every plugin, as the package's own values", async () => {
    const umbrella = (await import('vm-machine')) as Record<string, unknown>
    const packages = [
      scoped,
      await import('@vm-machine/console'),
      await import('@vm-machine/ipc'),
      await import('@vm-machine/timing'),
      await import('@vm-machine/codebase'),
      await import('@vm-machine/measure'),
      await import('@vm-machine/threads'),
    ]
    for (const exported of packages) for (const [name, value] of Object.entries(exported)) expect(umbrella[name], name).toBe(value)
  })

  it('runs the reference Quick Start with only the import path changed', async () => {
    const { VM, VMConsoleLibrary, VMIpcLibrary, VMIpcRxLibrary } = await import('vm-machine')
    const logs: unknown[][] = []
    const consoleLib = new VMConsoleLibrary((_level, ...args) => logs.push(args))
    const ipcRxLib = new VMIpcRxLibrary({ calculateSum: async (a: number, b: number) => a + b })
    const ipcTxLib = new VMIpcLibrary()
    const vm = new VM([consoleLib, ipcRxLib, ipcTxLib])
    await vm.initialize()
    await vm.run(`
      console.log('Hello from VM!');
      async function main() {
        const result = await calculateSum(5, 10);
        return { message: 'Calculation done', result };
      }
      return { main };
    `)
    expect(await ipcTxLib.callIpc('main', [])).toEqual({ message: 'Calculation done', result: 15 })
    vm.dispose()
    expect(logs).toEqual([['Hello from VM!']])
  })

  it.runIf(built)('stays tree-shakable: a bundle of VM and VMConsoleLibrary holds no codebase, threads, memfs or measure code', async () => {
    const result = await build({
      stdin: { contents: "import { VM, VMConsoleLibrary } from 'vm-machine'\nexport { VM, VMConsoleLibrary }", resolveDir: packageDir, loader: 'ts' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      external: ['isolated-vm'],
      metafile: true,
      minify: false,
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.some((file) => file.includes('core/dist'))).toBe(true)
    expect(inputs.some((file) => file.includes('console/dist'))).toBe(true)
    const output = Object.values(result.metafile.outputs)[0]
    const included = Object.entries(output?.inputs ?? {}).filter(([, info]) => info.bytesInOutput > 0).map(([file]) => file)
    for (const absent of ['codebase/dist', 'threads/dist', 'measure/dist', 'memfs', 'timing/dist', 'ipc/dist']) {
      expect(included.filter((file) => file.includes(absent)), absent).toEqual([])
    }
    const code = result.outputFiles[0]?.text ?? ''
    expect(code).not.toMatch(/class VMCodeBaseLibrary|class VMThreadLibrary|class VMMeasureLibrary|globalThis.startThread/)
  })

  it.runIf(built)('loads as CommonJS too', () => {
    const out = execFileSync(process.execPath, ['--no-node-snapshot', '-e', "const m = require('vm-machine'); console.log(typeof m.VM, typeof m.VMThreadLibrary)"], { cwd: packageDir }).toString()
    expect(out.trim()).toBe('function function')
  })
})
