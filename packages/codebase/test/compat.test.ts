import { inspect, format } from 'node:util'
import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMProcessExitError, VMScriptError } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { createTestVM, rejectionOf } from '@vm-machine/test-utils'
import { describe, expect, it } from 'vitest'

const COMPAT = ['buffer', 'events', 'util', 'url', 'string_decoder', 'assert', 'process']

async function setup(options: ConstructorParameters<typeof VMCodeBaseLibrary>[0] = {}, files: Record<string, string> = {}) {
  const codebase = new VMCodeBaseLibrary(options)
  const fs = codebase.getFs()
  for (const [path, content] of Object.entries(files)) {
    fs.mkdirSync(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true })
    fs.writeFileSync(path, content)
  }
  const ipc = new VMIpcLibrary()
  const vm = await createTestVM([codebase, ipc])
  return { codebase, fs, vm, ipc }
}

describe('process', () => {
  it('is a global and require("process") / "node:process" with sandbox values', async () => {
    const { vm } = await setup()
    expect(
      await vm.run(`return [process.env, process.cwd(), process.platform, process.argv, process.version, process.versions.node, require('process') === process, require('node:process') === process, globalThis.process === process]`),
    ).toEqual([{ NODE_ENV: 'production' }, '/', 'linux', [], 'v20.0.0', '20.0.0', true, true, true])
  })

  it('takes env from the option, copied, values as strings; VM writes stay in the VM', async () => {
    const env: Record<string, string> = { NODE_ENV: 'test', COUNT: 3 as unknown as string }
    const { vm } = await setup({ env })
    env.ADDED_LATER = 'x'
    expect(await vm.run('process.env.NEW = "42"; delete process.env.COUNT; return [process.env, "NODE_ENV" in process.env]')).toEqual([{ NODE_ENV: 'test', NEW: '42' }, true])
    expect(env).toEqual({ NODE_ENV: 'test', COUNT: 3, ADDED_LATER: 'x' })
  })

  it('runs nextTick callbacks with their arguments after the current code, and keeps hrtime monotonic', async () => {
    const { vm } = await setup()
    expect(
      await vm.run(`
        const order = []
        process.nextTick((a, b) => order.push(a + b), 1, 2)
        order.push('sync')
        await null; await null
        const [s, ns] = process.hrtime()
        const diff = process.hrtime([s, ns])
        return [order, diff[0] >= 0 && diff[1] >= 0, typeof process.hrtime.bigint(), process.uptime() >= 0]`),
    ).toEqual([['sync', 3], true, 'bigint', true])
  })

  it('emits warnings to process listeners', async () => {
    const { vm } = await setup()
    expect(await vm.run(`const seen = []; process.on('warning', (w) => seen.push([w.name, w.message, w.code])); process.emitWarning('careful', 'DeprecationWarning', 'DEP0'); return seen`)).toEqual([
      ['DeprecationWarning', 'careful', 'DEP0'],
    ])
  })

  it('makes process.exit() in a callable reject the call with VMProcessExitError; the VM keeps working', async () => {
    const { vm, ipc } = await setup()
    await vm.run('return { quit: (code) => { process.exit(code) }, alive: () => "yes" }')
    const error = await rejectionOf(ipc.callIpc('quit', [3]))
    expect(error).toBeInstanceOf(VMProcessExitError)
    expect(error).toBeInstanceOf(VMScriptError)
    expect(error).toMatchObject({ code: 'VM_ERR_PROCESS_EXIT', vmName: 'VMProcessExitError', exitCode: 3 })
    expect(await ipc.callIpc('alive', [])).toBe('yes')
    const fromRun = await rejectionOf(vm.run('process.exitCode = 2; process.exit()'))
    expect(fromRun).toMatchObject({ code: 'VM_ERR_PROCESS_EXIT', exitCode: 2 })
    expect(await vm.run('try { process.exit(1) } catch (e) { return [e.name, e.code, e.exitCode, e instanceof Error] }')).toEqual(['VMProcessExitError', 'VM_ERR_PROCESS_EXIT', 1, true])
  })
})

describe('Buffer', () => {
  it('is a lazy global, the same class as require("buffer").Buffer, and what fs returns without an encoding', async () => {
    const { vm, fs } = await setup()
    fs.writeFileSync('/data.bin', new Uint8Array([104, 105, 255]))
    expect(
      await vm.run(`
        const lazy = typeof Object.getOwnPropertyDescriptor(globalThis, 'Buffer').get
        const data = require('fs').readFileSync('/data.bin')
        return [lazy, Buffer === require('buffer').Buffer, Buffer === require('node:buffer').Buffer, Buffer.isBuffer(data), data instanceof Uint8Array, data.toString('hex'),
          require('fs').readFileSync('/data.bin', 'base64'), data.buffer.byteLength]`),
    ).toEqual(['function', true, true, true, true, '6869ff', Buffer.from([104, 105, 255]).toString('base64'), 3])
  })

  it('crosses the bridge as Uint8Array both ways', async () => {
    const received: unknown[] = []
    const codebase = new VMCodeBaseLibrary()
    const ipc = new VMIpcLibrary()
    const vm = await createTestVM([codebase, ipc, new VMIpcRxLibrary({ send: async (value: unknown) => void received.push(value) })])
    await vm.run('return { wrap: (bytes) => { const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length); return [Buffer.isBuffer(bytes), b.toString(), b] } }')
    await vm.run('await send(Buffer.from("from vm")); await send({ nested: Buffer.alloc(2, 1).subarray(1) })')
    expect(received[0]).toBeInstanceOf(Uint8Array)
    expect(Buffer.isBuffer(received[0])).toBe(false)
    expect(Buffer.from(received[0] as Uint8Array).toString()).toBe('from vm')
    expect(Array.from((received[1] as { nested: Uint8Array }).nested)).toEqual([1])
    const [isBuffer, text, back] = (await ipc.callIpc('wrap', [Buffer.from('from host')])) as [boolean, string, Uint8Array]
    expect([isBuffer, text, back instanceof Uint8Array, Buffer.isBuffer(back)]).toEqual([false, 'from host', true, false])
  })

  it('encodes and decodes like Node', async () => {
    const { vm } = await setup()
    const script = `
      const b = Buffer.from('héllo wörld €', 'utf8')
      return [b.toString('hex'), b.toString('base64'), Buffer.from('aGk=', 'base64').toString(), b.readUInt16BE(1), Buffer.concat([Buffer.from([1]), Buffer.from([2, 3])]).toJSON(),
        Buffer.byteLength('€'), Buffer.compare(Buffer.from('a'), Buffer.from('b')), Buffer.alloc(3, 'ab').toString(), b.slice(0, 3).equals(b.subarray(0, 3)), Buffer.from('ff00', 'hex').readInt16LE(0)]`
    expect(await vm.run(script)).toEqual(new Function(script)())
  })
})

describe('compatibility modules', () => {
  it('load by bare and node: names, in require and in ES imports (named imports included)', async () => {
    const { vm, fs } = await setup()
    fs.writeFileSync(
      '/esm.mjs',
      `import { Buffer } from 'node:buffer'
      import EventEmitter, { once } from 'events'
      import util, { format, inspect } from 'node:util'
      import { parse, URL as UrlFromModule } from 'url'
      import { StringDecoder } from 'string_decoder'
      import assert, { deepStrictEqual } from 'node:assert'
      import process, { env } from 'node:process'
      import { isDate } from 'util/types'
      import strict from 'assert/strict'
      export default [typeof Buffer.from, typeof EventEmitter, typeof once, typeof util.inherits, format('%d', 1), inspect('x'), parse('http://a/b').pathname,
        UrlFromModule === URL, typeof StringDecoder, typeof assert, typeof deepStrictEqual, env === process.env, isDate(new Date()), strict === assert.strict]`,
    )
    const names = COMPAT.flatMap((name) => [name, `node:${name}`])
    expect(await vm.run(`return ${JSON.stringify(names)}.map((name) => typeof require(name))`)).toEqual(names.map((name) => (name.endsWith('buffer') || name.endsWith('decoder') || name.endsWith('process') || name.endsWith('url') || name.endsWith('util') ? 'object' : 'function')))
    expect(await vm.run('return (await importModule("/esm.mjs")).default')).toEqual(['function', 'function', 'function', 'function', '1', "'x'", '/b', true, 'function', 'function', 'function', true, true, true])
    expect(await vm.run('const ns = await importModule("node:events"); return [typeof ns.default, ns.EventEmitter === ns.default, typeof ns.once]')).toEqual(['function', true, 'function'])
  })

  it('are no longer in the default mockModulesList, but mock when listed', async () => {
    const { vm } = await setup({ mockModulesList: ['events', 'node:util'] })
    expect(
      await vm.run(`
        const out = []
        for (const f of [() => new (require('events'))(), () => require('util').format('x')]) { try { f(); out.push('ran') } catch (e) { out.push(e.message) } }
        return [out, typeof require('buffer').Buffer.from]`),
    ).toEqual([["'events' is not available in the sandbox", "'util' is not available in the sandbox (called util.format)"], 'function'])
  })

  it('prefer a package in the volume for a bare name, never for a node: name', async () => {
    const { vm } = await setup({}, { '/node_modules/events/index.js': 'module.exports = "polyfill"' })
    expect(await vm.run('return [require("events"), typeof require("node:events"), require("node:events") === require("node:events").EventEmitter]')).toEqual(['polyfill', 'function', true])
  })

  it('util.inspect and util.format print like Node, cyclic values included', async () => {
    const { vm } = await setup()
    const values = `const cyclic = { name: 'root', list: [1, 'two', { three: 3n }] }; cyclic.self = cyclic; cyclic.list.push(cyclic)
      const values = [cyclic, new Map([['k', { deep: { deeper: { deepest: 1 } } }]]), new Set([1]), [undefined, null, -0], 'str', Symbol('s'), function named() {}, class K {}, new Error('boom').message, Object.create(null), [,,1], new Date(0), /re/g, new Uint8Array(3)]`
    const script = `${values}
      return [values.map((v) => util.inspect(v)), util.inspect(cyclic, { depth: 0 }), util.inspect({ a: { b: { c: { d: 1 } } } }, { depth: Infinity, compact: false }),
        util.format('%s:%d:%i:%f:%j:%o:%O:%%', 'a', 42.5, 42.5, '1.5', { j: 1 }, [1], { O: 1 }), util.format('extra', 1, { a: 1 }), util.format(cyclic)]`
    const ours = await vm.run(`const util = require('util'); ${script}`)
    const node = new Function('util', script)({ inspect, format })
    expect(ours).toEqual(node)
  })

  it('util.inherits, promisify, callbackify, deprecate and types behave like Node', async () => {
    const { vm } = await setup()
    expect(
      await vm.run(`
        const util = require('util')
        function Base() {}
        Base.prototype.hello = function () { return 'base' }
        function Child() {}
        Child.prototype.own = function () { return 'own' }
        util.inherits(Child, Base)
        const child = new Child()
        const wait = util.promisify((value, callback) => callback(null, value * 2))
        const custom = (cb) => cb()
        custom[util.promisify.custom] = () => Promise.resolve('custom')
        const back = await new Promise((resolve) => util.callbackify(async () => 'cb')((error, value) => resolve(value)))
        const warnings = []
        process.on('warning', (w) => warnings.push(w.message))
        const old = util.deprecate(() => 'old', 'old() is deprecated', 'DEP_X')
        return [child.hello(), child.own(), Child.super_ === Base, await wait(21), await util.promisify(custom)(), util.promisify.custom === Symbol.for('nodejs.util.promisify.custom'), back,
          old(), util.types.isDate(new Date()), util.types.isPromise(Promise.resolve()), util.isDeepStrictEqual({ a: [1] }, { a: [1] }), util.isDeepStrictEqual({ a: 1 }, { a: '1' })]`),
    ).toEqual(['base', 'own', true, 42, 'custom', true, 'cb', 'old', true, true, true, false])
  })

  it('events, string_decoder and assert behave like Node', async () => {
    const { vm } = await setup()
    expect(
      await vm.run(`
        const { EventEmitter, once } = require('events')
        const e = new EventEmitter()
        const seen = []
        e.once('a', (x) => seen.push('once ' + x))
        e.prependListener('a', (x) => seen.push('first ' + x))
        e.emit('a', 1); e.emit('a', 2)
        let errorEvent
        try { e.emit('error', new Error('unhandled')) } catch (err) { errorEvent = err.message }
        setTimeout = undefined
        const later = once(e, 'b'); e.emit('b', 'value')
        const { StringDecoder } = require('string_decoder')
        const d = new StringDecoder('utf8')
        const decoded = [d.write(Buffer.from([0xe2, 0x82])), d.write(Buffer.from([0xac])), d.end(Buffer.from([0xf0]))]
        const assert = require('assert')
        const failures = []
        for (const f of [() => assert.strictEqual(1, 2), () => assert.deepStrictEqual({ a: [1, 2] }, { a: [1, 3] }), () => assert(false), () => assert.throws(() => {}), () => assert.ok(0, 'custom message')]) {
          try { f() } catch (err) { failures.push([err.name, err.code, err.operator]) }
        }
        assert.deepStrictEqual(new Map([[1, { a: 1 }]]), new Map([[1, { a: 1 }]]))
        return [seen, errorEvent, await later, decoded, failures, e.listenerCount('a')]`),
    ).toEqual([
      ['first 1', 'once 1', 'first 2'],
      'unhandled',
      ['value'],
      ['', '€', '\ufffd'],
      [
        ['AssertionError', 'ERR_ASSERTION', 'strictEqual'],
        ['AssertionError', 'ERR_ASSERTION', 'deepStrictEqual'],
        ['AssertionError', 'ERR_ASSERTION', '=='],
        ['AssertionError', 'ERR_ASSERTION', 'throws'],
        ['AssertionError', 'ERR_ASSERTION', '=='],
      ],
      1,
    ])
  })

  it('url offers the WHATWG URL and the legacy API like Node', async () => {
    const { vm } = await setup()
    const script = `
      return [url.parse('http://user:pw@Host.com:8080/p/a/t/h?query=string&a=1&a=2#hash', true), url.resolve('http://a.com/b/c', '../d'), url.resolve('/one/two', 'three'),
        url.format({ protocol: 'https', hostname: 'x.com', pathname: '/p', query: { a: ['1', '2'], b: 'c d' } }), url.format(new url.URL('https://u:p@x.com/a?b#c'), { auth: false, fragment: false }),
        url.fileURLToPath('file:///tmp/a%20b'), url.pathToFileURL('/tmp/a b#c').href, url.domainToASCII('español.com'), url.domainToUnicode('xn--espaol-zwa.com'), url.urlToHttpOptions(new url.URL('http://a:b@x.com:81/p?q'))]`
    const ours = (await vm.run(`const url = require('url'); ${script}`)) as unknown[]
    const nodeUrl = await import('node:url')
    const node = JSON.parse(JSON.stringify(new Function('url', script)(nodeUrl)))
    expect(JSON.parse(JSON.stringify(ours))).toEqual(node)
  })
})
