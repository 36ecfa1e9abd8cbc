import { VMInjectLibrary, VMTransferError } from '@vm-machine/core'
import { createTestVM, rejectionOf, trackVM } from '@vm-machine/test-utils'
import { VM } from '@vm-machine/core'
import { describe, expect, it } from 'vitest'

describe('VMInjectLibrary', () => {
  it('injects values and functions as globals (the reference example)', async () => {
    const injectLib = new VMInjectLibrary({
      API_URL: 'https://api.example.com',
      version: '1.0.0',
      config: { retries: 3, timeout: 5000 },
      helperFunction: (x: number) => x * 2,
    })
    const vm = await createTestVM([injectLib])
    const result = await vm.run(`
      const doubled = helperFunction(21);
      return { doubled, config, API_URL, version };
    `)
    expect(result).toEqual({ doubled: 42, config: { retries: 3, timeout: 5000 }, API_URL: 'https://api.example.com', version: '1.0.0' })
  })

  it('deep-copies values once at initialize(): later host changes are not seen, VM changes stay in the VM', async () => {
    const config = { retries: 3, nested: { list: [1, 2] } }
    const vm = await createTestVM([new VMInjectLibrary({ config })])
    config.retries = 100
    config.nested.list.push(3)
    expect(await vm.run('return config')).toEqual({ retries: 3, nested: { list: [1, 2] } })
    await vm.run('config.nested.list.push(99)')
    expect(config.nested.list).toEqual([1, 2, 3])
  })

  it('injects every kind of primitive exactly, including the ones JSON cannot carry', async () => {
    const values = { text: 'a\u0000\u2028b', count: 42.5, yes: true, nothing: null, negZero: -0, notANumber: Number.NaN, big: 2n ** 70n, far: Number.POSITIVE_INFINITY, absent: undefined }
    const vm = await createTestVM([new VMInjectLibrary(values)])
    expect(await vm.run('return [text, count, yes, nothing, Object.is(negZero, -0), Number.isNaN(notANumber), big, far, typeof absent, "absent" in globalThis]')).toEqual([
      'a\u0000\u2028b', 42.5, true, null, true, true, 2n ** 70n, Number.POSITIVE_INFINITY, 'undefined', true,
    ])
  })

  it('turns nested functions into synchronous host calls', async () => {
    const vm = await createTestVM([
      new VMInjectLibrary({ tools: { math: { square: (n: number) => n * n }, list: [(s: string) => s.toUpperCase()] } }),
    ])
    expect(await vm.run('return [tools.math.square(7), tools.list[0]("hi")]')).toEqual([49, 'HI'])
  })

  it('makes injected values available to math expressions as in the evaluator example', async () => {
    const vm = await createTestVM([new VMInjectLibrary({ x: 5, y: 10, z: 2 })])
    await vm.run('async function evaluate() { return x * y + z } return { evaluate }')
    expect(await vm.call('evaluate')).toBe(52)
  })

  it('rejects a value that cannot be copied with VMTransferError naming its key path', async () => {
    const vm = trackVM(new VM([new VMInjectLibrary({ settings: { ok: 1, bad: [Symbol('x')] } })]))
    const error = await rejectionOf(vm.initialize())
    expect(error).toBeInstanceOf(VMTransferError)
    expect(error.path).toBe('settings.bad[0]')
  })

  it('keeps own __proto__ keys as keys: injected values and run results never change a prototype', async () => {
    const vm = await createTestVM([
      new VMInjectLibrary({
        cfg: JSON.parse('{"name":"cfg","__proto__":{"isAdmin":true}}'),
        withFn: { ['__proto__']: { isAdmin: () => true } },
      }),
    ])
    expect(await vm.run('return [Object.keys(cfg), cfg.__proto__ === Object.prototype, typeof ({}).isAdmin, typeof [].isAdmin, Object.keys(withFn), typeof withFn.__proto__.isAdmin]')).toEqual([
      ['name', '__proto__'],
      false,
      'undefined',
      'undefined',
      ['__proto__'],
      'function',
    ])
    const result = (await vm.run(`return JSON.parse('{"a":1,"__proto__":{"x":1}}')`)) as Record<string, unknown>
    expect(Object.keys(result)).toEqual(['a', '__proto__'])
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype)
  })

  it('rejects something other than an object at construction', () => {
    expect(() => new VMInjectLibrary(null as never)).toThrow(TypeError)
    expect(() => new VMInjectLibrary([1] as never)).toThrow(TypeError)
  })
})
