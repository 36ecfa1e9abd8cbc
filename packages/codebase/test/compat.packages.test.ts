import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { createTestVM } from '@vm-machine/test-utils'
import { describe, expect, it } from 'vitest'
import { copyPackageTree } from './helpers.js'

const require = createRequire(import.meta.url)
const packageDir = fileURLToPath(new URL('..', import.meta.url))

async function vmWith(packages: string[], options: ConstructorParameters<typeof VMCodeBaseLibrary>[0] = {}) {
  const codebase = new VMCodeBaseLibrary(options)
  for (const name of packages) copyPackageTree(codebase.getFs(), name)
  return createTestVM([codebase])
}

/** Runs `code` (CommonJS, printing JSON) in a fresh Node process with exactly `env`. */
function inNode(code: string, env: Record<string, string>): unknown {
  const result = spawnSync(process.execPath, ['-e', code], { cwd: packageDir, env, encoding: 'utf8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return JSON.parse(result.stdout)
}

describe('real npm packages that need Node and web APIs, unmodified in the volume', () => {
  it('immer picks its build from process.env.NODE_ENV at load (CommonJS)', async () => {
    const calls = `
      const { produce } = require('immer')
      const base = { todos: [{ id: 1, done: false }], meta: { count: 1 } }
      const next = produce(base, (draft) => { draft.todos[0].done = true; draft.todos.push({ id: 2, done: false }); draft.meta.count++ })
      let message
      try { produce(base, (draft) => { draft.meta.count = 5; return { replaced: true } }) } catch (error) { message = error.message }
      const result = [next, next.meta !== base.meta, next.todos[0] !== base.todos[0], Object.isFrozen(next), message]`
    const production = await vmWith(['immer'])
    const development = await vmWith(['immer'], { env: { NODE_ENV: 'development' } })
    const script = `${calls}; return result`
    const expectedProd = inNode(`${calls}; console.log(JSON.stringify(result))`, { NODE_ENV: 'production' })
    const expectedDev = inNode(`${calls}; console.log(JSON.stringify(result))`, { NODE_ENV: 'development' })
    expect(await production.run(script)).toEqual(expectedProd)
    expect(await development.run(script)).toEqual(expectedDev)
    expect((expectedProd as string[])[4]).not.toEqual((expectedDev as string[])[4])
  })

  it('debug reads DEBUG from process.env and formats with util, writing to process.stderr', async () => {
    const env = { DEBUG: 'app:*,-app:secret', DEBUG_COLORS: 'no', DEBUG_HIDE_DATE: 'yes' }
    const calls = `
      const debug = require('debug')
      const lines = []
      process.stderr.write = (line) => { lines.push(line); return true }
      debug('app:db')('connected to %s in %dms with %o', 'db', 12, { retries: [1, 2], nested: { deep: true } })
      debug('app:secret')('hidden')
      debug('other')('hidden')
      debug('app:http')('%O', new Map([['a', 1]]))
      const result = [lines, debug.enabled('app:x'), debug.enabled('app:secret'), debug.enabled('other')]`
    const vm = await vmWith(['debug'], { env })
    expect(await vm.run(`${calls}; return result`)).toEqual(inNode(`${calls}; console.log(JSON.stringify(result))`, env))
  })

  it('iconv-lite converts with Buffer, string_decoder and a mocked stream module', async () => {
    const vm = await vmWith(['iconv-lite'])
    const script = `
      const iconv = require('iconv-lite')
      return [iconv.encode('Привет, мир', 'win1251').toString('hex'), iconv.decode(Buffer.from('cff0e8e2e5f2', 'hex'), 'win1251'), iconv.encode('héllo €', 'utf16le').toString('base64'),
        iconv.decode(iconv.encode('日本語', 'shift_jis'), 'shift_jis'), iconv.encodingExists('latin1'), Buffer.isBuffer(iconv.encode('x', 'utf8'))]`
    const iconv = require('iconv-lite')
    expect(await vm.run(script)).toEqual(new Function('require', script)((name: string) => (name === 'iconv-lite' ? iconv : require(name))))
  })

  it('keyv extends EventEmitter and round-trips Buffers through json-buffer', async () => {
    const vm = await vmWith(['keyv'])
    const script = `
      const Keyv = require('keyv')
      const EventEmitter = require('events')
      const store = new Keyv({ namespace: 'ns' })
      const events = []
      store.on('error', (error) => events.push(error.message))
      await store.set('user', { name: 'ada', avatar: Buffer.from('png-bytes') })
      const user = await store.get('user')
      await store.set('short', 1, 1)
      await new Promise((resolve) => Promise.resolve().then(resolve))
      store.emit('error', new Error('store down'))
      return [store instanceof EventEmitter, user.name, Buffer.isBuffer(user.avatar), user.avatar.toString(), await store.has('user'), await store.delete('user'), await store.get('user'), events]`
    const keyv = require('keyv')
    const events = require('node:events')
    const node = await new Function('require', `return (async () => { ${script} })()`)((name: string) => (name === 'keyv' ? keyv : events))
    expect(await vm.run(script)).toEqual(node)
  })

  it('verror uses util.inherits and util.format, and assert-plus uses assert', async () => {
    const vm = await vmWith(['verror'])
    const script = `
      const VError = require('verror')
      const assertPlus = require('assert-plus')
      const cause = new Error('disk full')
      const error = new VError(cause, 'could not save %s (%d bytes)', 'file.txt', 42)
      const info = new VError.WError({ name: 'ConfigError', info: { key: 'port' } }, 'bad config')
      let assertion
      try { assertPlus.string(5, 'name') } catch (e) { assertion = [e.name, e.message, e.code, e instanceof require('assert').AssertionError] }
      return [error.message, error.name, VError.cause(error) === cause, error instanceof Error, VError.fullStack(error).split('\\n')[0], info.name, VError.info(info), assertion]`
    const verror = require.resolve('verror')
    const req = createRequire(verror)
    expect(await vm.run(script)).toEqual(new Function('require', script)((name: string) => (name === 'assert' ? require('node:assert') : req(name))))
  })

  it('normalize-url builds URLs (ES module)', async () => {
    const vm = await vmWith(['normalize-url'])
    const inputs: Array<[string, Record<string, unknown>?]> = [
      ['HTTP://www.Example.com:80/a/../b/?b=2&a=1&utm_source=x#frag', { stripHash: true }],
      ['//sindresorhus.com/foo/index.html', { removeDirectoryIndex: true }],
      ['https://user:pw@münchen.de/%7Efoo/', { stripAuthentication: false }],
      ['sindresorhus.com?foo=bar&baz', { sortQueryParameters: false }],
    ]
    const { default: normalizeUrl } = (await import('normalize-url')) as { default: (url: string, options?: Record<string, unknown>) => string }
    expect(await vm.run(`const { default: normalizeUrl } = await importModule('normalize-url'); return ${JSON.stringify(inputs)}.map(([url, options]) => normalizeUrl(url, options))`)).toEqual(
      inputs.map(([url, options]) => normalizeUrl(url, options)),
    )
  })

  it('uint8array-extras encodes with TextEncoder, TextDecoder, atob and btoa (ES module)', async () => {
    const vm = await vmWith(['uint8array-extras'])
    const script = `
      const bytes = m.stringToUint8Array('héllo wörld 😀')
      return [Array.from(bytes), m.uint8ArrayToString(bytes), m.uint8ArrayToBase64(bytes), m.uint8ArrayToBase64(bytes, { urlSafe: true }), Array.from(m.base64ToUint8Array('aMOpbGxv')),
        m.uint8ArrayToHex(bytes), Array.from(m.hexToUint8Array('00ff10')), m.stringToBase64('€ uro'), m.base64ToString('4oKsIHVybw=='), m.compareUint8Arrays(bytes, m.concatUint8Arrays([bytes, bytes]))]`
    const extras = await import('uint8array-extras')
    expect(await vm.run(`const m = await importModule('uint8array-extras'); ${script}`)).toEqual(new Function('m', script)(extras))
  })

  it('uuid draws from crypto.getRandomValues and crypto.randomUUID (ES module, named import from a mocked node:crypto)', async () => {
    const vm = await vmWith(['uuid'])
    const fixed = '6ba7b810-9dad-11d1-80b4-00c04fd430c8'
    const script = `return [u.validate(${JSON.stringify(fixed)}), u.version(${JSON.stringify(fixed)}), Array.from(u.parse(${JSON.stringify(fixed)})), u.stringify(u.parse(${JSON.stringify(fixed)})), u.NIL, u.MAX]`
    const nodeUuid = (await import('uuid')) as Record<string, unknown>
    expect(await vm.run(`const u = await importModule('uuid'); ${script}`)).toEqual(new Function('u', script)(nodeUuid))
    const [v4s, v7s] = (await vm.run(`const u = await importModule('uuid'); return [[u.v4(), u.v4(), u.v4({})], [u.v7(), u.v7(), u.v1()]]`)) as [string[], string[]]
    for (const id of [...v4s, ...v7s]) expect((nodeUuid.validate as (id: string) => boolean)(id)).toBe(true)
    expect(v4s.map((id) => (nodeUuid.version as (id: string) => number)(id))).toEqual([4, 4, 4])
    expect(v7s.map((id) => (nodeUuid.version as (id: string) => number)(id))).toEqual([7, 7, 1])
    expect(new Set([...v4s, ...v7s]).size).toBe(6)
  })
})
