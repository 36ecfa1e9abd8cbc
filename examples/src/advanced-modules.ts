// The reference README's "Advanced Module System Usage". loadFromDatabase stands for the user's own
// source store; here it is a small in-memory table, honestly labelled.
import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VM } from '@vm-machine/core'
import { isMain } from './isMain.js'

const companyModules: Record<string, string> = {
  '@mycompany/utils': `module.exports = { shout: (text) => String(text).toUpperCase() + '!' };`,
}
async function loadFromDatabase(name: string): Promise<string | undefined> {
  return companyModules[name]
}

export async function advancedModules() {
  // Custom module resolver
  const codebaseLib = new VMCodeBaseLibrary({
    moduleResolver: async (name) => {
      if (name === 'lodash') {
        return `module.exports = { map: (arr, fn) => arr.map(fn) };`
      }
      if (name.startsWith('@mycompany/')) {
        // Load from external source
        return await loadFromDatabase(name)
      }
      return undefined
    },
  })

  // Add modules programmatically
  codebaseLib.addModule('config', `
    module.exports = {
      apiUrl: 'https://api.example.com',
      timeout: 5000
    };
  `)

  const vm = new VM([codebaseLib])
  await vm.initialize()
  const code = `
    const config = require('config');
    const _ = require('lodash'); // Resolved by custom resolver
    const myLib = require('@mycompany/utils'); // Also resolved by custom resolver

    const numbers = [1, 2, 3, 4, 5];
    const doubled = _.map(numbers, x => x * 2);

    return { doubled, config, shouted: myLib.shout('done') };
  `
  const result = await vm.run(code)
  console.log(result)
  vm.dispose()
  return result
}

if (isMain(import.meta.url)) await advancedModules()
