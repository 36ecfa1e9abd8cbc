import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMConsoleLibrary } from '@vm-machine/console'
import { VMInjectLibrary, VMLibrary, VMTransferError, hostFunction } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { createTestVM, rejectionOf, sleep, waitFor } from '@vm-machine/test-utils'
import { VMTimingLibrary } from '@vm-machine/timing'
import { types } from 'node:util'
import { describe, expect, it, vi } from 'vitest'

// What an escape would reach: anything of the host realm.
const PROBE = `
  (value) => {
    const found = []
    const seen = new Set()
    const visit = (v, path, depth) => {
      if (v === null || (typeof v !== 'object' && typeof v !== 'function') || seen.has(v) || depth > 4) return
      seen.add(v)
      try {
        const F = v.constructor && v.constructor.constructor
        if (typeof F === 'function') {
          const g = F('return this')()
          if (g !== globalThis) found.push(path + ': foreign global')
          if (g.__vmmHostMarker !== undefined) found.push(path + ': host globals')
        }
      } catch (e) {}
      let proto
      try { proto = Object.getPrototypeOf(v) } catch (e) {}
      if (proto && proto !== Object.prototype && proto !== Array.prototype && proto !== Function.prototype && proto !== Error.prototype &&
          ![Map, Set, Date, RegExp, Uint8Array, ArrayBuffer, Promise, TypeError, RangeError, Error].some((C) => proto === C.prototype) && !(v instanceof Error)) {
        visit(proto, path + '.__proto__', depth + 1)
      }
      for (const key of Reflect.ownKeys(v)) {
        let child
        try { child = v[key] } catch (e) { continue }
        visit(child, path + '.' + String(key), depth + 1)
      }
    }
    visit(value, 'value', 0)
    return found
  }`

class HostValues extends VMLibrary {
  override getReferences() {
    return {
      hostSync: () => ({ date: new Date(), nested: { list: [1, { deep: true }] }, bytes: new Uint8Array(2), map: new Map([[1, { a: 1 }]]) }),
      hostThrows: () => {
        throw Object.assign(new TypeError('host failure'), { code: 'E_HOST', hostObject: process, hostFunction: require })
      },
      hostAsyncThrows: async () => {
        throw new RangeError('async host failure')
      },
      hostSpy: hostFunction(async (value: unknown) => ({ echoed: value }), 'async'),
    }
  }
}

// A marker only the host's global object carries: a VM that could reach the host realm would see it.
;(globalThis as Record<string, unknown>).__vmmHostMarker = true

describe('escapes: nothing host-side is reachable from the VM', () => {
  it('no host realm behind values, results, errors, console, timers, injected values or module objects', async () => {
    const lines: unknown[][] = []
    const codebase = new VMCodeBaseLibrary()
    codebase.getFs().writeFileSync('/m.js', 'module.exports = { fn() {}, obj: {} }')
    const vm = await createTestVM([
      new HostValues(),
      new VMInjectLibrary({ injected: { value: 1, fn: (x: number) => ({ x }) } }),
      new VMConsoleLibrary((_level, ...args) => lines.push(args)),
      new VMTimingLibrary(),
      codebase,
    ])
    const found = await vm.run(`
      const probe = ${PROBE}
      const out = []
      out.push(...probe(hostSync()))
      try { hostThrows() } catch (e) { out.push(...probe(e)); out.push(e.hostObject === undefined ? 'ok' : 'host object leaked') }
      try { await hostAsyncThrows() } catch (e) { out.push(...probe(e)) }
      out.push(...probe(await hostSpy({ a: [1] })))
      out.push(...probe(injected), ...probe(injected.fn(2)), ...probe(injected.fn))
      out.push(...probe(hostSync), ...probe(console), ...probe(setTimeout), ...probe(require), ...probe(require('fs')), ...probe(require('/m.js')), ...probe(require('fs').statSync('/m.js')))
      await new Promise((resolve) => setTimeout((a) => { out.push(...probe(a)); resolve() }, 1, { arg: true }))
      out.push(...probe(globalThis))
      return out.filter((line) => line !== 'ok')`)
    expect(found).toEqual([])
    // With a codebase the VM has a process, but the sandbox's own: no host pid, cwd, argv or env.
    expect(
      await vm.run('return [process.cwd(), Object.keys(process.env), process.pid, process.argv.length, typeof module, typeof __dirname, Buffer.from("x").constructor.constructor("return this")() === globalThis]'),
    ).toEqual(['/', ['NODE_ENV'], undefined, 0, 'undefined', 'undefined', true])
  })

  it('host errors carry no host stack frames, even through Error.prepareStackTrace', async () => {
    const vm = await createTestVM([new HostValues()])
    const result = (await vm.run(`
      const frames = []
      Error.prepareStackTrace = (error, callSites) => {
        for (const site of callSites) {
          const fn = site.getFunction()
          const self = site.getThis()
          const vmRealm = (v) => v === undefined || v === null || (typeof v !== 'object' && typeof v !== 'function') || v.constructor === undefined || v.constructor.constructor === Function
          frames.push([String(site.getFileName()), vmRealm(self), vmRealm(fn)])
        }
        return 'prepared'
      }
      const stacks = []
      try { hostThrows() } catch (e) { stacks.push(String(e.stack)) }
      try { await hostAsyncThrows() } catch (e) { stacks.push(String(e.stack)) }
      try { hostSpy(() => 1) } catch (e) { stacks.push(String(e.stack)) }
      try { null.x } catch (e) { stacks.push(String(e.stack)) }
      return { frames, stacks }`)) as { frames: Array<[string, boolean, boolean]>; stacks: string[] }
    const all = JSON.stringify(result)
    expect(all).not.toMatch(/node_modules|\/work\/|node:internal|isolated-vm\.js|\.test\.ts|VM\.ts/)
    for (const [, thisInVm, functionInVm] of result.frames) expect([thisInVm, functionInVm]).toEqual([true, true])
  })

  it('Proxy traps, getters and species on values handed to the host run only in the VM and fail cleanly', async () => {
    const received: unknown[] = []
    const rx = new VMIpcRxLibrary({ take: async (value: unknown) => (received.push(value), 'taken') })
    const tx = new VMIpcLibrary()
    const onError = vi.fn()
    const vm = await createTestVM([rx, tx], { onError })
    const outcome = await vm.run(`
      const out = []
      let trapCalls = 0
      const proxy = new Proxy({}, { get() { trapCalls++; return 1 }, ownKeys() { trapCalls++; return ['a'] }, getOwnPropertyDescriptor() { return { value: 1, enumerable: true, configurable: true } } })
      try { await take(proxy) } catch (e) { out.push(e.name) }
      try { await take({ get evil() { throw new Error('getter ran') } }) } catch (e) { out.push(e.message) }
      class EvilArray extends Array { static get [Symbol.species]() { throw new Error('species ran') } }
      try { out.push(await take(EvilArray.from([1, 2]))) } catch (e) { out.push(e.message) }
      return { out, trapCalls }`)
    expect((outcome as { out: unknown[] }).out[0]).toBe('VMTransferError')
    // Only the subclassed array got through, as a plain host array: no VM class, no species.
    expect(received).toEqual([[1, 2]])
    expect(Object.getPrototypeOf(received[0])).toBe(Array.prototype)
    await vm.run('return { evil: () => ({ get boom() { throw new Error("getter in result") } }) }')
    await expect(tx.callIpc('evil')).rejects.toMatchObject({ code: 'VM_ERR_TRANSFER', path: 'result.boom' })
    await sleep(20)
    expect(onError).not.toHaveBeenCalled() // a throwing getter is a transfer error, not an unhandled rejection
  })

  it('copied values cannot pollute host prototypes (__proto__, constructor.prototype keys)', async () => {
    const received: Record<string, unknown>[] = []
    const tx = new VMIpcLibrary()
    const rx = new VMIpcRxLibrary({ take: async (value: Record<string, unknown>) => void received.push(value) })
    const vm = await createTestVM([tx, rx])
    await vm.run(`
      await take(JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted2": "yes"}}}'))
      return { give: () => JSON.parse('{"__proto__": {"polluted3": "yes"}}') }`)
    const given = (await tx.callIpc('give')) as Record<string, unknown>
    const plain: Record<string, unknown> = {}
    expect([plain.polluted, plain.polluted2, plain.polluted3]).toEqual([undefined, undefined, undefined])
    expect(Object.getPrototypeOf(received[0])).toBe(Object.prototype)
    expect(Object.getPrototypeOf(given)).toBe(Object.prototype)
  })

  it('cannot reach the real filesystem: traversal, absolute host paths, symlinks in the volume', async () => {
    const codebase = new VMCodeBaseLibrary()
    const fs = codebase.getFs()
    fs.symlinkSync('/etc', '/etc-link')
    fs.symlinkSync('../../../../../../etc/passwd', '/passwd-link')
    const vm = await createTestVM([codebase])
    const result = await vm.run(`
      const fs = require('fs')
      const attempts = ['/etc/passwd', '../../../../etc/passwd', '/etc-link/passwd', '/passwd-link', '/proc/self/environ', 'file:///etc/passwd']
      const out = []
      for (const path of attempts) {
        try { fs.readFileSync(path, 'utf8'); out.push('READ ' + path) } catch (e) { out.push(e.code) }
      }
      try { require('/etc/passwd') } catch (e) { out.push(e.code) }
      try { require('child_process').execSync('id') } catch (e) { out.push(e.message.includes('not available in the sandbox')) }
      return out`)
    expect(result).toEqual(['ENOENT', 'ENOENT', 'ENOENT', 'ENOENT', 'ENOENT', 'ENOENT', 'MODULE_NOT_FOUND', true])
  })

  it('no shared memory crosses: SharedArrayBuffers and views over them arrive as copies, both ways', async () => {
    const seenByHost: unknown[] = []
    const hostShared = new Uint8Array(new SharedArrayBuffer(4))
    const tx = new VMIpcLibrary()
    const vm = await createTestVM([
      new VMInjectLibrary({ injected: { view: hostShared }, check: (value: unknown) => seenByHost.push(value) }),
      new VMIpcRxLibrary({ report: async (value: unknown) => seenByHost.push(value) }),
      tx,
    ])
    // Host → VM: injected values, call arguments.
    await vm.run(`return { write: (view) => { view[0] = 7; return [view.buffer instanceof SharedArrayBuffer, view[0]] } }`)
    expect(await tx.callIpc('write', [hostShared])).toEqual([false, 7])
    expect(await vm.run('injected.view[1] = 9; return injected.view.buffer instanceof SharedArrayBuffer')).toBe(false)
    expect(Array.from(hostShared)).toEqual([0, 0, 0, 0])
    // VM → host: run and call results, sync and async host function arguments.
    const result = (await vm.run(`
      globalThis.shared = new SharedArrayBuffer(4)
      globalThis.view = new Uint8Array(shared)
      check({ view, shared }); await report([view])
      return { view, shared, nested: new Map([['k', new Int16Array(shared, 2, 1)]]) }`)) as { view: Uint8Array; shared: ArrayBuffer; nested: Map<string, Int16Array> }
    await vm.run('return { later: () => view }')
    const fromCall = (await tx.callIpc('later')) as Uint8Array
    await vm.run('view.set([1, 2, 3, 4])')
    const arrived = [result.view, result.shared, result.nested.get('k'), fromCall, (seenByHost[0] as { view: Uint8Array }).view, (seenByHost[0] as { shared: ArrayBuffer }).shared, (seenByHost[1] as Uint8Array[])[0]]
    for (const value of arrived) {
      const buffer = value instanceof ArrayBuffer ? value : (value as ArrayBufferView).buffer
      expect(buffer).toBeInstanceOf(ArrayBuffer)
      expect(Array.from(new Uint8Array(buffer))).toEqual(value instanceof Int16Array ? [0, 0] : [0, 0, 0, 0])
    }
    // Every shape structured clone walks into: an array's named property, an Error's cause, a class
    // instance's fields, a cycle reached before the view; a shared WebAssembly.Memory cannot cross.
    const shapes = (await vm.run(`
      const list = [1]; list.extra = view
      const cyclic = { v: view }; cyclic.self = cyclic
      class Holder { constructor() { this.held = view } }
      return { list, error: new Error('x', { cause: view }), holder: new Holder(), outer: { cyclic } }`)) as {
      list: number[] & { extra: Uint8Array }
      error: Error & { cause: Uint8Array }
      holder: { held: Uint8Array }
      outer: { cyclic: { v: Uint8Array; self: { v: Uint8Array } } }
    }
    await vm.run('view.set([5, 6, 7, 8])')
    for (const copy of [shapes.list.extra, shapes.error.cause, shapes.holder.held, shapes.outer.cyclic.v, shapes.outer.cyclic.self.v]) {
      expect([copy.buffer instanceof ArrayBuffer, Array.from(copy)]).toEqual([true, [1, 2, 3, 4]])
    }
    expect(shapes.outer.cyclic.self).toBe(shapes.outer.cyclic)
    expect(await rejectionOf(vm.run('return { memory: new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }) }'))).toBeInstanceOf(VMTransferError)
    // Host → VM: a pooled Buffer inside a class instance carries only its own bytes.
    class Envelope {
      body = Buffer.from('hi')
    }
    await vm.run('return { size: (value) => value.body.buffer.byteLength }')
    expect(await tx.callIpc('size', [new Envelope()])).toBe(2)
    // WebAssembly's shared memory, in a VM that never named SharedArrayBuffer.
    const wasm = await createTestVM()
    const memory = (await wasm.run(`
      globalThis.memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true })
      return new Uint8Array(memory.buffer, 0, 4)`)) as Uint8Array
    await wasm.run('new Uint8Array(memory.buffer).set([1, 2, 3, 4])')
    expect([memory.buffer instanceof ArrayBuffer, Array.from(memory)]).toEqual([true, [0, 0, 0, 0]])
  })

  it('copies made to strip shared memory or pooled bytes keep Errors and boxed primitives intact, and sparse arrays cost their keys', async () => {
    const tx = new VMIpcLibrary()
    const vm = await createTestVM([
      new VMInjectLibrary({ give: () => ({ err: new RangeError('boom'), n: Object(7), s: Object('ab'), buf: Buffer.from('ab') }) }),
      tx,
    ])
    expect(await vm.run(`
      const v = give()
      return [v.err instanceof RangeError, v.err.message, Object.prototype.toString.call(v.err), Number(v.n), String(v.s), Array.from(v.buf), v.buf.buffer.byteLength]`)).toEqual([
      true, 'boom', '[object Error]', 7, 'ab', [97, 98], 2,
    ])
    const back = (await vm.run(`
      void SharedArrayBuffer
      const view = new Uint8Array(new SharedArrayBuffer(2))
      const sparse = []; sparse[4294967294] = view
      return { err: new TypeError('tm', { cause: new RangeError('inner') }), n: Object(5), view, sparse }`)) as { err: Error & { cause: Error }; n: number; view: Uint8Array; sparse: Uint8Array[] }
    expect([types.isNativeError(back.err), back.err instanceof TypeError, back.err.message, back.err.cause.message, Number(back.n)]).toEqual([true, true, 'tm', 'inner', 5])
    expect(structuredClone(back.err).message).toBe('tm')
    expect([back.view.buffer instanceof ArrayBuffer, back.sparse.length, back.sparse[4294967294]?.buffer instanceof ArrayBuffer]).toEqual([true, 4294967295, true])
  })

  it('internal bridge globals are deleted before user code runs', async () => {
    const codebase = new VMCodeBaseLibrary()
    const vm = await createTestVM([codebase, new VMConsoleLibrary(() => {}), new VMTimingLibrary(), new VMIpcRxLibrary({ a: async () => 1 })])
    expect(await vm.run('return Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith("__vmm") || n.startsWith("$"))')).toEqual([])
  })

  it('code that closes the run() wrapper early finds the bridge gone', async () => {
    const vm = await createTestVM([new VMConsoleLibrary(() => {}), new VMTimingLibrary(), new VMIpcRxLibrary({ a: async () => 1 })])
    const attempts = [
      '}), globalThis.stolen = [$0, $1, $2, ...arguments], (async function () {',
      '})(), globalThis.stolen = [$0, $1, $2, ...arguments], (() => async function () {',
      '}), 0); function $0(...args) { globalThis.stolen = [...args, ...arguments]; return (f) => f() } ((async function () {',
    ]
    for (const code of attempts) {
      await vm.run('globalThis.stolen = undefined')
      await vm.run(code).catch(() => {})
      const stolen = (await vm.run('return (globalThis.stolen || []).map((value) => typeof value)')) as string[]
      expect(stolen).not.toContain('function')
    }
    expect(await vm.run('return 2 + 2')).toBe(4)
  })

  it('libraries add only their documented globals (no helper function leaks into the VM global scope)', async () => {
    const bare = await createTestVM()
    const baseline = new Set((await bare.run('return Object.getOwnPropertyNames(globalThis)')) as string[])
    const { VMMeasureLibrary } = await import('@vm-machine/measure')
    const { VMThreadLibrary } = await import('@vm-machine/threads')
    const vm = await createTestVM([
      new VMCodeBaseLibrary(),
      new VMConsoleLibrary(() => {}),
      new VMTimingLibrary(),
      new VMMeasureLibrary(),
      new VMThreadLibrary({ getThreadLibraries: () => [] }),
      new VMIpcRxLibrary({ myHostFunction: async () => 1 }),
    ])
    const added = ((await vm.run('return Object.getOwnPropertyNames(globalThis)')) as string[]).filter((name) => !baseline.has(name))
    const documented = new Set([
      'console', 'setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate',
      'require', 'importModule', '__ping', 'startThread', 'isThread', 'myHostFunction',
      // Node and web compatibility (codebase and core, issue 10)
      'process', 'Buffer', 'TextEncoder', 'TextDecoder', 'URL', 'URLSearchParams', 'atob', 'btoa', 'structuredClone', 'queueMicrotask', 'crypto',
    ])
    expect(added.filter((name) => !documented.has(name))).toEqual([])
  })

  it('a VM that replaces intrinsics only hurts itself', async () => {
    const rx = new VMIpcRxLibrary({ echo: async (x: unknown) => x })
    const tx = new VMIpcLibrary()
    const vm = await createTestVM([rx, tx])
    const other = await createTestVM([new VMIpcRxLibrary({ echo: async (x: unknown) => x })])
    await vm.run(`
      Reflect.apply = () => { throw new Error('hijacked') }
      Map.prototype.get = () => undefined
      Promise.prototype.then = function () { throw new Error('no then') }
      Function.prototype.call = () => 'hijacked'
      Array.prototype[Symbol.iterator] = function* () { yield 'evil' }
      return { ping: () => 'pong' }`)
    expect(await tx.callIpc('ping')).toBe('pong')
    expect(await other.run('return await echo([1, 2])')).toEqual([1, 2])
    await waitFor(() => true)
  })
})
