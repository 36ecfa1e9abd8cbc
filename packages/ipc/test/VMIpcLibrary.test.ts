import { VM, VMCallTimeoutError, VMDisposedError, VMInvalidArgumentError, VMLibrary, VMNotInitializedError, VMScriptError, VMUnknownCallableError } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary, VMIpcTxLibrary } from '@vm-machine/ipc'
import { createTestVM, rejectionOf, sleep, trackVM } from '@vm-machine/test-utils'
import { describe, expect, it } from 'vitest'

describe('VMIpcLibrary', () => {
  it('runs the reference Quick Start', async () => {
    const ipcRxLib = new VMIpcRxLibrary({ calculateSum: async (a: number, b: number) => a + b })
    const ipcTxLib = new VMIpcLibrary()
    await createTestVM([ipcRxLib, ipcTxLib])
    await ipcTxLib.vm.run(`
      async function main() {
        const result = await calculateSum(5, 10);
        return { message: 'Calculation done', result };
      }
      return { main };
    `)
    expect(await ipcTxLib.callIpc('main', [])).toEqual({ message: 'Calculation done', result: 15 })
  })

  it('is also exported as VMIpcTxLibrary', () => {
    expect(VMIpcTxLibrary).toBe(VMIpcLibrary)
    expect(new VMIpcTxLibrary()).toBeInstanceOf(VMIpcLibrary)
  })

  it('defaults timeout to 30 000 ms and validates it', () => {
    expect(new VMIpcLibrary().timeout).toBe(30_000)
    expect(new VMIpcLibrary({ timeout: 0 }).timeout).toBe(0)
    expect(() => new VMIpcLibrary({ timeout: -5 })).toThrow(/timeout/)
    expect(() => new VMIpcLibrary({ timeout: 'soon' as never })).toThrow(/timeout/)
  })

  it('calls callables from exposeCallables and sync VM functions', async () => {
    const tx = new VMIpcLibrary()
    const vm = await createTestVM([tx])
    await vm.run('exposeCallables({ add: (a, b) => a + b })')
    expect(await tx.callIpc('add', [2, 3])).toBe(5)
  })

  it('rejects with VMCallTimeoutError past timeout while the VM keeps running', async () => {
    const tx = new VMIpcLibrary({ timeout: 40 })
    const vm = await createTestVM([tx])
    await vm.run('return { never: () => new Promise(() => {}), ok: () => "ok" }')
    const error = await rejectionOf(tx.callIpc('never'))
    expect(error).toBeInstanceOf(VMCallTimeoutError)
    expect(error.callable).toBe('never')
    expect(await tx.callIpc('ok')).toBe('ok')
  })

  it('waits forever with timeout 0', async () => {
    const tx = new VMIpcLibrary({ timeout: 0 })
    const rx = new VMIpcRxLibrary({ wait: () => sleep(80).then(() => 'done') })
    await createTestVM([tx, rx])
    await tx.vm.run('return { slow: () => wait() }')
    expect(await tx.callIpc('slow')).toBe('done')
  })

  it('rejects an unknown name with VMUnknownCallableError listing the available ones', async () => {
    const tx = new VMIpcLibrary()
    await createTestVM([tx])
    await tx.vm.run('return { main() {} }')
    const error = await rejectionOf(tx.callIpc('mian'))
    expect(error).toBeInstanceOf(VMUnknownCallableError)
    expect(error.available).toEqual(['main'])
  })

  it('propagates VM throws as VMScriptError with the VM stack', async () => {
    const tx = new VMIpcLibrary()
    await createTestVM([tx])
    await tx.vm.run('return { boom: async () => { await null; throw new TypeError("no") } }', { filename: 'boom.js' })
    const error = await rejectionOf(tx.callIpc('boom'))
    expect(error).toBeInstanceOf(VMScriptError)
    expect(error.vmName).toBe('TypeError')
    expect(error.vmStack).toMatch(/boom\.js/)
  })

  it('throws VMNotInitializedError before the VM exists and VMDisposedError after dispose', async () => {
    const tx = new VMIpcLibrary()
    await expect(tx.callIpc('x')).rejects.toBeInstanceOf(VMNotInitializedError)
    const vm = await createTestVM([tx])
    await vm.run('return { x: () => 1 }')
    vm.dispose()
    await expect(tx.callIpc('x')).rejects.toBeInstanceOf(VMDisposedError)
  })

  it('rejects calls racing dispose() with VMDisposedError and leaves no unhandled rejection', async () => {
    const unhandled: unknown[] = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on('unhandledRejection', onUnhandled)
    try {
      const tx = new VMIpcLibrary()
      const rx = new VMIpcRxLibrary({ slowHost: () => sleep(20) })
      const vm = await createTestVM([tx, rx])
      await vm.run('return { work: async (i) => { await slowHost(); return i } }')
      const calls = Array.from({ length: 20 }, (_, i) => tx.callIpc('work', [i]))
      await sleep(1)
      vm.dispose()
      const settled = await Promise.allSettled(calls)
      for (const result of settled) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(VMDisposedError)
      }
      await sleep(50)
      expect(unhandled).toEqual([])
    } finally {
      process.off('unhandledRejection', onUnhandled)
    }
  })
})

describe('VMIpcRxLibrary', () => {
  it('gives the VM async globals whose errors keep name and message', async () => {
    const rx = new VMIpcRxLibrary({
      riskyOperation: async (data: unknown) => {
        if (!data) throw new Error('Data is required')
        return { ok: data }
      },
    })
    const tx = new VMIpcLibrary()
    await createTestVM([rx, tx])
    await tx.vm.run(`
      async function main() {
        try {
          const result = await riskyOperation(null);
          return { success: true, result };
        } catch (error) {
          return { success: false, error: error.message, isError: error instanceof Error };
        }
      }
      return { main };
    `)
    expect(await tx.callIpc('main')).toEqual({ success: false, error: 'Data is required', isError: true })
  })

  it('treats a sync host function like its async form (return and throw)', async () => {
    const rx = new VMIpcRxLibrary({
      syncValue: () => 7,
      syncThrow: () => {
        throw new RangeError('sync failure')
      },
    })
    const vm = await createTestVM([rx])
    const result = await vm.run(`
      const p = syncValue()
      let caught
      try { await syncThrow() } catch (e) { caught = [e.name, e.message] }
      return [p instanceof Promise, await p, caught]`)
    expect(result).toEqual([true, 7, ['RangeError', 'sync failure']])
  })

  it('copies arguments and results both ways', async () => {
    const received: unknown[] = []
    const rx = new VMIpcRxLibrary({
      store: async (value: { list: number[] }) => {
        received.push(value)
        value.list.push(99)
        return { when: new Date(5), bytes: new Uint8Array([1, 2]) }
      },
    })
    const vm = await createTestVM([rx])
    const result = await vm.run(`
      const arg = { list: [1] }
      const back = await store(arg)
      return [arg.list, back.when.getTime(), Array.from(back.bytes), back.bytes instanceof Uint8Array]`)
    expect(result).toEqual([[1], 5, [1, 2], true])
    expect(received).toEqual([{ list: [1, 99] }])
  })

  it("mode 'blocking' makes the VM wait for the host, still handing VM code a promise", async () => {
    const order: string[] = []
    const rx = new VMIpcRxLibrary(
      {
        slow: async (label: string) => {
          order.push(`start ${label}`)
          await sleep(20)
          order.push(`end ${label}`)
          return label
        },
        fail: () => {
          throw new RangeError('blocked failure')
        },
      },
      { mode: 'blocking' },
    )
    expect(rx.mode).toBe('blocking')
    const vm = await createTestVM([rx])
    const result = await vm.run(`
      const p = slow('a')
      const isPromise = p instanceof Promise
      const both = await Promise.all([p, slow('b')])
      let error
      try { await fail() } catch (e) { error = [e.name, e.message] }
      return { isPromise, both, error }`)
    expect(result).toEqual({ isPromise: true, both: ['a', 'b'], error: ['RangeError', 'blocked failure'] })
    // Blocking: the second call starts only after the first one ended.
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b'])
    expect(() => new VMIpcRxLibrary({}, { mode: 'sometimes' as never })).toThrow(TypeError)
  })

  it('rejects non-function callables at construction', () => {
    expect(() => new VMIpcRxLibrary({ x: 1 } as never)).toThrow(/'x' is not a function/)
    expect(() => new VMIpcRxLibrary(null as never)).toThrow(TypeError)
    expect(() => new VMIpcRxLibrary({}, null as never)).toThrow(/options must be an object/)
    expect(() => new VMIpcLibrary(null as never)).toThrow(VMInvalidArgumentError)
  })

  it('runs concurrent calls in both directions and re-entrant VM→host→VM calls', async () => {
    const tx = new VMIpcLibrary()
    const rx = new VMIpcRxLibrary({
      hostDouble: async (n: number) => {
        await sleep(Math.random() * 5)
        // Re-entrant: the host calls back into the VM while the VM awaits this call.
        const tripled = (await tx.callIpc('triple', [n])) as number
        return tripled * 2
      },
    })
    await createTestVM([tx, rx])
    await tx.vm.run(`
      return {
        triple: (n) => n * 3,
        main: async (n) => Promise.all(Array.from({ length: n }, (_, i) => hostDouble(i))),
      }`)
    const results = await Promise.all(Array.from({ length: 10 }, () => tx.callIpc('main', [20])))
    const expected = Array.from({ length: 20 }, (_, i) => i * 6)
    for (const result of results) expect(result).toEqual(expected)
  })

  it('lets the VM keep working while awaiting a host call', async () => {
    const rx = new VMIpcRxLibrary({ slow: () => sleep(50).then(() => 'slow'), fast: async () => 'fast' })
    const vm = await createTestVM([rx])
    expect(await vm.run('const order = []; await Promise.all([slow().then(v => order.push(v)), fast().then(v => order.push(v))]); return order')).toEqual([
      'fast',
      'slow',
    ])
  })
})

describe('custom libraries extending VMIpcRxLibrary (reference patterns)', () => {
  it('builds a namespaced API by overriding getVmCode() (crypto example)', async () => {
    const { createHash, randomBytes } = await import('node:crypto')
    class CustomCryptoLibrary extends VMIpcRxLibrary {
      constructor() {
        super({
          randomHash: async (): Promise<string> => randomBytes(16).toString('hex'),
          sha256: async (data: string): Promise<string> => createHash('sha256').update(data).digest('hex'),
        })
      }
      override getVmCode(): string {
        const originalCode = super.getVmCode()
        return `
          ${originalCode};
          global.crypto = { randomHash: global.randomHash, sha256: global.sha256 };
        `
      }
    }
    const vm = await createTestVM([new CustomCryptoLibrary()])
    const result = (await vm.run(`
      const hash = await crypto.randomHash();
      const digest = await crypto.sha256('hello world');
      return { hash, digest, same: global.randomHash === crypto.randomHash };
    `)) as { hash: string; digest: string; same: boolean }
    expect(result.hash).toMatch(/^[0-9a-f]{32}$/)
    expect(result.digest).toBe(createHash('sha256').update('hello world').digest('hex'))
    expect(result.same).toBe(true)
  })

  it('uses `this` of the subclass inside callables (filesystem example shape)', async () => {
    class Guarded extends VMIpcRxLibrary {
      private allowed: string[]
      constructor(allowed: string[]) {
        super({
          read: async (path: string) => {
            this.check(path)
            return `content of ${path}`
          },
        })
        this.allowed = allowed
      }
      private check(path: string) {
        if (!this.allowed.some((root) => path === root || path.startsWith(`${root}/`))) throw new Error(`Access denied: ${path}`)
      }
    }
    const vm = await createTestVM([new Guarded(['/tmp'])])
    expect(await vm.run(`
      const out = [await read('/tmp/a.txt')]
      try { await read('/tmpfoo/x') } catch (e) { out.push(e.message) }
      return out`)).toEqual(['content of /tmp/a.txt', 'Access denied: /tmpfoo/x'])
  })

  it('works next to other libraries in a group-free VM with a custom VMLibrary', async () => {
    class Extra extends VMLibrary {
      override getVmCode() {
        return 'globalThis.extra = 1'
      }
    }
    const vm = trackVM(new VM([new Extra(), new VMIpcRxLibrary({ f: async () => 2 })]))
    await vm.initialize()
    expect(await vm.run('return extra + await f()')).toBe(3)
  })
})
