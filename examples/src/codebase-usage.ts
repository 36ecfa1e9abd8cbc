// The reference README's VMCodeBaseLibrary "Usage". Honest changes: the original writes into /src
// without creating it (memfs, like Node, needs the directory) and never calls main, so
// /output.txt would never exist; here /src is created and the host calls main.
import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM } from '@vm-machine/core'
import { VMIpcLibrary } from '@vm-machine/ipc'
import { isMain } from './isMain.js'

export async function codebaseUsage() {
  const codebaseLib = new VMCodeBaseLibrary({
    maxMemfsSize: 5 * 1024 * 1024, // 5MB limit
    maxFileCount: 500,
    mockModulesList: ['crypto'], // Mock these modules (fs and path are always the sandbox's own)
  })

  // Add files to the virtual filesystem
  const fs = codebaseLib.getFs()
  await fs.promises.mkdir('/src', { recursive: true })
  await fs.promises.writeFile('/src/utils.js', `
    module.exports = {
      add: (a, b) => a + b,
      multiply: (a, b) => a * b
    };
  `)
  await fs.promises.writeFile('/src/main.js', `
    const utils = require('./utils');
    const fs = require('fs/promises');

    async function main() {
      console.log('Sum:', utils.add(5, 3));
      // Write result to virtual filesystem
      await fs.writeFile('/output.txt', 'Result: ' + utils.multiply(4, 7));
      return { success: true };
    }

    module.exports = { main };
  `)

  // Set entry file to auto-execute
  codebaseLib.setEntryFile('/src/main.js')

  const ipc = new VMIpcLibrary()
  const vm = new VM([codebaseLib, new VMConsoleLibrary(), ipc])
  await vm.initialize()
  await vm.run() // Will automatically execute main.js
  const result = await ipc.callIpc('main', [])

  // Access files created by VM code
  const output = await fs.promises.readFile('/output.txt', 'utf-8')
  console.log(output) // "Result: 28"
  vm.dispose()
  return { result, output }
}

if (isMain(import.meta.url)) await codebaseUsage()
