import { VMInjectLibrary, VMLibrary } from '@vm-machine/core'
import { createTestVM } from '@vm-machine/test-utils'
import { describe, expect, it } from 'vitest'

class ExposeLibrary extends VMLibrary {
  override getReferences() {
    // Buffer.from of a short string lives in Node's shared 8 KB pool, next to other host data.
    return { hostBuffer: () => Buffer.from('host'), hostView: () => ({ nested: [new Uint16Array(new ArrayBuffer(64), 8, 2)] }) }
  }
}

describe('web globals leak nothing of the host', () => {
  it('are VM objects all the way down (prototypes, constructors, Function)', async () => {
    const vm = await createTestVM()
    expect(
      await vm.run(`
        const touched = [crypto, new TextEncoder(), new TextDecoder(), new URL('http://x/'), new URLSearchParams('a=1'), new DOMException('x')]
        const vmObject = (value) => {
          let proto = Object.getPrototypeOf(value)
          while (Object.getPrototypeOf(proto) !== null) proto = Object.getPrototypeOf(proto)
          return proto === Object.prototype && value.constructor.constructor === Function
        }
        return [touched.every(vmObject), Object.getPrototypeOf(crypto).constructor.name, crypto.getRandomValues.constructor === Function,
          Function('return this')() === globalThis, atob.constructor === Function, structuredClone(new Map()).constructor === Map]`),
    ).toEqual([true, 'Crypto', true, true, true, true])
  })

  it('add no hidden globals, even after every one of them was used', async () => {
    const vm = await createTestVM()
    const before = (await vm.run('return Object.getOwnPropertyNames(globalThis).sort()')) as string[]
    const after = (await vm.run(`
      new TextEncoder().encode('x'); new TextDecoder().decode(new Uint8Array(1)); new URL('http://ü.de'); new URLSearchParams('a=1')
      atob(btoa('x')); structuredClone({}); queueMicrotask(() => {}); crypto.getRandomValues(new Uint8Array(1)); crypto.randomUUID(); new DOMException('x')
      return Object.getOwnPropertyNames(globalThis).sort()`)) as string[]
    expect(after).toEqual(before)
    expect(after.filter((name) => name.startsWith('__'))).toEqual([])
  })

  it('never hand the VM a host Buffer or the rest of its pool', async () => {
    const vm = await createTestVM([new ExposeLibrary(), new VMInjectLibrary({ injected: Buffer.from('injected') })])
    await vm.run('return { echo: (bytes) => [Object.prototype.toString.call(bytes), bytes.length, bytes.buffer.byteLength, bytes.byteOffset] }')
    expect(await vm.call('echo', [Buffer.from('xy')])).toEqual(['[object Uint8Array]', 2, 2, 0])
    expect(
      await vm.run(`
        const b = hostBuffer()
        const v = hostView().nested[0]
        return [Object.getPrototypeOf(b) === Uint8Array.prototype, b.length, b.buffer.byteLength, new TextDecoder().decode(b),
          v instanceof Uint16Array, v.length, v.buffer.byteLength, injected.buffer.byteLength, typeof Buffer]`),
    ).toEqual([true, 4, 4, 'host', true, 2, 4, 8, 'undefined'])
  })

  it('find a pooled Buffer anywhere in a value: behind shared containers, leaves and cycles', async () => {
    const vm = await createTestVM([new ExposeLibrary()])
    await vm.run('return { sizes: (value) => [value.deep[0].x.y[0].buffer.byteLength, value.again.x.y[0].buffer.byteLength, value.cycle.self === value.cycle, value.tags[1][0]] }')
    const shared = { x: { y: [Buffer.from('pooled')] } }
    const cycle: Record<string, unknown> = { leaf: ['a', 'b'] }
    cycle.self = cycle
    const value = { tags: [['a'], ['b']], cycle, deep: [shared], again: shared }
    expect(await vm.call('sizes', [value])).toEqual([6, 6, true, 'b'])
  })

  it('give the VM host randomness only as copied bytes', async () => {
    const vm = await createTestVM()
    expect(
      await vm.run(`
        const array = new Uint8Array(16)
        const filled = crypto.getRandomValues(array)
        return [filled === array, Object.getPrototypeOf(filled) === Uint8Array.prototype, filled.buffer.byteLength, typeof crypto.subtle, Object.keys(crypto)]`),
    ).toEqual([true, true, 16, 'undefined', []])
  })
})
