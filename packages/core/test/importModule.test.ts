import { VMLibrary, VMScriptError } from '@vm-machine/core'
import { createTestVM, rejectionOf } from '@vm-machine/test-utils'
import { describe, expect, it } from 'vitest'

class ModuleHost extends VMLibrary {
  override getVmCode() {
    return 'const take = __vmm_take_namespace; __vmm_expose("test.take", (id) => { globalThis.lastNamespace = take(id); return Object.keys(globalThis.lastNamespace) })'
  }
}

const sources: Record<string, string> = {
  '/dep.mjs': 'export const answer = 42\nexport default "dep"',
  '/main.mjs': 'import dep, { answer } from "./dep.mjs"\nconst later = await Promise.resolve(1)\nexport const value = [dep, answer, later]',
  '/broken.mjs': 'export const = 1',
  '/throws.mjs': 'throw new RangeError("during evaluation")',
}
const load = (specifier: string) => ({ filename: specifier.replace(/^\./, ''), source: sources[specifier.replace(/^\./, '')] ?? '' })

describe('VM.importModule()', () => {
  it('compiles, links and evaluates a real ES module graph with top-level await, once per file', async () => {
    const vm = await createTestVM([new ModuleHost()])
    const loads: string[] = []
    const id = await vm.importModule({ filename: '/main.mjs', source: sources['/main.mjs'] as string }, (specifier, referrer) => {
      loads.push(`${specifier} from ${referrer}`)
      return load(specifier)
    })
    expect(await vm.getVmFunction('test.take')(id)).toEqual(['value'])
    expect(await vm.run('return [lastNamespace.value, Object.prototype.toString.call(lastNamespace)]')).toEqual([['dep', 42, 1], '[object Module]'])
    const again = await vm.importModule({ filename: '/main.mjs', source: 'ignored: already compiled' }, load)
    expect(await vm.getVmFunction('test.take')(again)).toEqual(['value'])
    expect(loads).toEqual(['./dep.mjs from /main.mjs'])
  })

  it('rejects syntax and evaluation errors with VMScriptError carrying the VM error name', async () => {
    const vm = await createTestVM([new ModuleHost()])
    const syntax = await rejectionOf(vm.importModule({ filename: '/broken.mjs', source: sources['/broken.mjs'] as string }, load))
    expect(syntax).toBeInstanceOf(VMScriptError)
    expect(syntax.vmName).toBe('SyntaxError')
    const thrown = await rejectionOf(vm.importModule({ filename: '/throws.mjs', source: sources['/throws.mjs'] as string }, load))
    expect(thrown.vmName).toBe('RangeError')
    expect(thrown.message).toBe('during evaluation')
  })
})
