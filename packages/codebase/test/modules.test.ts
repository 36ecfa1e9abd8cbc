import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VM, VMInvalidArgumentError, VMScriptError } from '@vm-machine/core'
import { VMIpcLibrary } from '@vm-machine/ipc'
import { createTestVM, rejectionOf, trackVM } from '@vm-machine/test-utils'
import { describe, expect, it, vi } from 'vitest'

async function setup(files: Record<string, string>, options: ConstructorParameters<typeof VMCodeBaseLibrary>[0] = {}) {
  const codebase = new VMCodeBaseLibrary(options)
  const fs = codebase.getFs()
  for (const [path, content] of Object.entries(files)) {
    fs.mkdirSync(path.slice(0, path.lastIndexOf('/')) || '/', { recursive: true })
    fs.writeFileSync(path, content)
  }
  const vm = await createTestVM([codebase])
  return { codebase, fs, vm }
}

describe('require()', () => {
  it('resolves relative and absolute paths with extension and index resolution', async () => {
    const { vm } = await setup({
      '/src/a.js': 'module.exports = "a"',
      '/src/lib/index.js': 'module.exports = "lib"',
      '/src/data.json': '{ "n": 1 }',
      '/src/b.cjs': 'exports.b = "b"',
      '/main.js': `module.exports = [require('./src/a'), require('/src/lib'), require('./src/data.json').n, require('./src/b.cjs').b, require('./src/a.js')]`,
    })
    expect(await vm.run('return require("/main.js")')).toEqual(['a', 'lib', 1, 'b', 'a'])
  })

  it('gives modules module, exports, __filename and __dirname, and caches them', async () => {
    const { vm } = await setup({
      '/lib/counter.js': 'let n = 0; exports.next = () => ++n; exports.where = [__filename, __dirname, module.id, typeof require]',
    })
    expect(await vm.run('const a = require("/lib/counter"); const b = require("/lib/counter.js"); a.next(); return [b.next(), a === b, a.where]')).toEqual([
      2,
      true,
      ['/lib/counter.js', '/lib', '/lib/counter.js', 'function'],
    ])
  })

  it('keeps file names and sources exactly: non-ASCII names, NUL and line separators in sources, root files', async () => {
    const { vm } = await setup({
      '/ünï/cödé ✓.js': 'module.exports = ["\u0000 nul", "\u2028", __filename, __dirname]',
      '/top.js': 'module.exports = __dirname',
    })
    expect(await vm.run('return [...require("/ünï/cödé ✓.js"), require("/top.js")]')).toEqual(['\u0000 nul', '\u2028', '/ünï/cödé ✓.js', '/ünï', '/'])
  })

  it('answers lookups anew after the volume or the added modules change (host writes, VM writes, addModule)', async () => {
    const { codebase, fs, vm } = await setup({ '/lib/a.js': 'module.exports = "a1"' })
    const missing = (name: string) => `try { require(${JSON.stringify(name)}); return 'found' } catch (error) { return error.code }`
    expect(await vm.run('return require("/lib/a.js")')).toBe('a1')
    expect(await vm.run(missing('/late.js'))).toBe('MODULE_NOT_FOUND')
    fs.writeFileSync('/late.js', 'module.exports = "late"')
    expect(await vm.run('return require("/late.js")')).toBe('late')
    expect(await vm.run(`require('fs').writeFileSync('/vm.js', 'module.exports = "vm"'); return require('/vm.js')`)).toBe('vm')
    expect(await vm.run(missing('extra'))).toBe('MODULE_NOT_FOUND')
    codebase.addModule('extra', 'module.exports = "added"')
    expect(await vm.run('return require("extra")')).toBe('added')
    // The next VM over the same volume reads the file as it is now.
    fs.writeFileSync('/lib/a.js', 'module.exports = "a2"')
    await vm.dispose()
    const next = await createTestVM([codebase])
    expect(await next.run('return require("/lib/a.js")')).toBe('a2')
  })

  it('handles require cycles like Node (partial exports)', async () => {
    const { vm } = await setup({
      '/a.js': 'exports.name = "a"; const b = require("./b"); exports.seenB = b.name; exports.done = true',
      '/b.js': 'exports.name = "b"; const a = require("./a"); exports.seenA = [a.name, a.done]',
    })
    expect(await vm.run('const a = require("/a"); return [a.seenB, require("/b").seenA]')).toEqual(['b', ['a', undefined]])
  })

  it('finds packages in node_modules through package.json main and exports', async () => {
    const { vm } = await setup({
      '/node_modules/with-main/package.json': '{ "main": "lib/entry.js" }',
      '/node_modules/with-main/lib/entry.js': 'module.exports = "main"',
      '/node_modules/with-exports/package.json': JSON.stringify({ exports: { '.': { require: './cjs.js', import: './esm.mjs' }, './feature': './feature.js', './sub/*': './sub/*.js' } }),
      '/node_modules/with-exports/cjs.js': 'module.exports = "exports-require"',
      '/node_modules/with-exports/feature.js': 'module.exports = "feature"',
      '/node_modules/with-exports/sub/x.js': 'module.exports = "sub-x"',
      '/node_modules/@scope/pkg/index.js': 'module.exports = "scoped"',
      '/app/deep/file.js': 'module.exports = [require("with-main"), require("with-exports"), require("with-exports/feature"), require("with-exports/sub/x"), require("@scope/pkg")]',
    })
    expect(await vm.run('return require("/app/deep/file")')).toEqual(['main', 'exports-require', 'feature', 'sub-x', 'scoped'])
  })

  it('works in inline run() code, resolving from /', async () => {
    const { vm } = await setup({ '/util.js': 'module.exports = { add: (a, b) => a + b }' })
    expect(await vm.run('return require("./util").add(2, 3)')).toBe(5)
  })

  it('throws MODULE_NOT_FOUND for a missing module, in the VM', async () => {
    const { vm } = await setup({})
    expect(await vm.run('try { require("./nope") } catch (e) { return [e.code, e.message] }')).toEqual(['MODULE_NOT_FOUND', "Cannot find module './nope' from '/'"])
  })

  it('names the requiring file in MODULE_NOT_FOUND, for each of two files in one directory', async () => {
    const { vm } = await setup({
      '/lib/one.js': 'try { require("./gone") } catch (e) { module.exports = e.message }',
      '/lib/two.js': 'try { require("./gone") } catch (e) { module.exports = e.message }',
    })
    expect(await vm.run('return [require("/lib/one.js"), require("/lib/two.js")]')).toEqual([
      "Cannot find module './gone' from '/lib/one.js'",
      "Cannot find module './gone' from '/lib/two.js'",
    ])
  })

  it('names the virtual file and line in stack traces', async () => {
    const { vm } = await setup({ '/src/fail.js': 'const x = 1\n\nfunction boom() { throw new Error("boom") }\nmodule.exports = { boom }' })
    const error = await rejectionOf(vm.run('require("/src/fail.js").boom()'))
    expect(error).toBeInstanceOf(VMScriptError)
    expect(error.vmStack).toMatch(/\/src\/fail\.js:3:/)
  })

  it('supports require.resolve and require.cache', async () => {
    const { vm } = await setup({ '/m.js': 'module.exports = Math.random()' })
    expect(
      await vm.run(`
        const first = require('/m')
        delete require.cache[require.resolve('/m')]
        return [require.resolve('./m'), require.resolve('fs'), first !== require('/m')]`),
    ).toEqual(['/m.js', 'fs', true])
  })

  it('follows Node on require.main, require.resolve of node: names, BOMs in JSON, import() from a module, built-in namespaces and added CommonJS in ES modules', async () => {
    const { codebase, vm } = await setup({
      '/main.js': 'exports.isMain = require.main === module; exports.fromLib = require("./src/lib").isMain',
      '/src/lib.js': 'exports.isMain = require.main === module; exports.load = () => importModule("./util.mjs")',
      '/src/util.mjs': 'export const where = "src"',
      '/bom.json': '\uFEFF{"x":1}',
      '/esm.mjs': 'import config from "config"; export const url = config.apiUrl',
    })
    codebase.addModule('config', 'module.exports = { apiUrl: "x" }')
    codebase.setEntryFile('/main.js')
    await vm.run()
    expect(
      await vm.run(`
        const fs = await importModule('node:fs')
        return [
          require('/main.js').isMain, require('/main.js').fromLib, require.resolve('node:fs'), require.resolve('fs'),
          require('./bom.json').x, (await require('/src/lib.js').load()).where,
          typeof fs.default.readFileSync, typeof fs.readFileSync, Object.prototype.toString.call(fs),
          (await importModule('config')).default.apiUrl, (await importModule('/esm.mjs')).url,
        ]`),
    ).toEqual([true, false, 'node:fs', 'fs', 1, 'src', 'function', 'function', '[object Module]', 'x', 'x'])
  })

  it('lets a module declare its own importModule; mocks imported keep their members', async () => {
    const { vm } = await setup({
      '/own.js': 'let importModule = 1; const count = (function () { return arguments.length }).call(null); module.exports = [importModule, typeof require, count]',
      '/args.js': 'module.exports = typeof importModule',
    })
    expect(
      await vm.run(`
        const cp = await importModule('child_process')
        let message
        try { cp.spawn('ls') } catch (e) { message = e.message }
        return [require('/own.js'), require('/args.js'), typeof cp.spawn, /not available in the sandbox/.test(message)]`),
    ).toEqual([[1, 'function', 0], 'function', 'function', true])
  })

  it('reads a file again once it was deleted from require.cache', async () => {
    const { vm } = await setup({ '/config.json': '{"v":1}', '/lib.js': 'module.exports = 1' })
    expect(
      await vm.run(`
        const fs = require('fs')
        const before = [require('./config.json').v, require('./lib')]
        fs.writeFileSync('/config.json', '{"v":2}'); fs.writeFileSync('/lib.js', 'module.exports = 2')
        const cached = [require('./config.json').v, require('./lib')]
        delete require.cache[require.resolve('./config.json')]; delete require.cache[require.resolve('./lib')]
        return [...before, ...cached, require('./config.json').v, require('./lib')]`),
    ).toEqual([1, 1, 1, 1, 2, 2])
  })

  it('answers lookups VM code aims at the host itself: a relative requiring path, huge names', async () => {
    const { vm } = await setup({ '/a.js': 'module.exports = "a"' })
    expect(
      await vm.run(`
        const codes = []
        for (const attempt of [() => importModule('zzz', 'a'), () => importModule('zzz', ''), () => importModule('./a.js', 'x')]) {
          try { await attempt(); codes.push('ok') } catch (e) { codes.push(e.code) }
        }
        try { require('x'.repeat(1 << 20)) } catch (e) { codes.push(e.code, e.message.length < 500) }
        return codes`),
    ).toEqual(['MODULE_NOT_FOUND', 'MODULE_NOT_FOUND', 'ok', 'MODULE_NOT_FOUND', true])
  })
})

describe('module sources', () => {
  it('consults moduleResolver first, with the raw specifier and the requiring file, and caches per module', async () => {
    const moduleResolver = vi.fn(async (name: string) => {
      if (name === 'lodash') return 'module.exports = { map: (arr, fn) => arr.map(fn) }'
      if (name === './shadowed') return 'module.exports = "from resolver"'
      return undefined
    })
    const { vm } = await setup({ '/shadowed.js': 'module.exports = "from volume"', '/use.js': 'module.exports = require("./shadowed")' }, { moduleResolver })
    expect(await vm.run('return [require("lodash").map([1, 2], (x) => x * 2), require("lodash") === require("lodash"), require("/use")]')).toEqual([
      [2, 4],
      true,
      'from resolver',
    ])
    expect(moduleResolver).toHaveBeenCalledWith('lodash', '/')
    expect(moduleResolver).toHaveBeenCalledWith('./shadowed', '/use.js')
    expect(moduleResolver.mock.calls.filter(([name]) => name === 'lodash')).toHaveLength(1)
  })

  it('makes require throw in the VM with the message of a rejecting resolver', async () => {
    const { vm } = await setup({}, { moduleResolver: async () => Promise.reject(new Error('registry down')) })
    expect(await vm.run('try { require("anything") } catch (e) { return e.message }')).toBe('registry down')
  })

  it('serves added modules by name (both addModule forms), after the resolver and before the volume', async () => {
    const codebase = new VMCodeBaseLibrary({ moduleResolver: async (name) => (name === 'both' ? 'module.exports = "resolver"' : undefined) })
    codebase.addModule('config', 'module.exports = { apiUrl: "https://api.example.com", timeout: 5000 }')
    codebase.addModule({ name: 'both', source: 'module.exports = "added"' })
    codebase.getFs().mkdirSync('/node_modules/config', { recursive: true })
    codebase.getFs().writeFileSync('/node_modules/config/index.js', 'module.exports = "volume"')
    const vm = await createTestVM([codebase])
    expect(await vm.run('return [require("config"), require("both")]')).toEqual([{ apiUrl: 'https://api.example.com', timeout: 5000 }, 'resolver'])
  })

  it('runs the reference Advanced Module System example', async () => {
    const loadFromDatabase = async (name: string) => `module.exports = { name: ${JSON.stringify(name)} }`
    const codebaseLib = new VMCodeBaseLibrary({
      moduleResolver: async (name) => {
        if (name === 'lodash') return 'module.exports = { map: (arr, fn) => arr.map(fn) };'
        if (name.startsWith('@mycompany/')) return await loadFromDatabase(name)
        return undefined
      },
    })
    codebaseLib.addModule('config', `module.exports = { apiUrl: 'https://api.example.com', timeout: 5000 };`)
    const vm = await createTestVM([codebaseLib])
    const result = await vm.run(`
      const config = require('config');
      const _ = require('lodash');
      const myLib = require('@mycompany/utils');
      const numbers = [1, 2, 3, 4, 5];
      const doubled = _.map(numbers, x => x * 2);
      return { doubled, config, myLib };
    `)
    expect(result).toEqual({ doubled: [2, 4, 6, 8, 10], config: { apiUrl: 'https://api.example.com', timeout: 5000 }, myLib: { name: '@mycompany/utils' } })
  })

  it('validates addModule and options', () => {
    const codebase = new VMCodeBaseLibrary()
    expect(() => codebase.addModule('', 'x')).toThrow(VMInvalidArgumentError)
    expect(() => codebase.addModule('x', 42 as never)).toThrow(VMInvalidArgumentError)
    expect(() => new VMCodeBaseLibrary({ maxFileCount: -1 })).toThrow(VMInvalidArgumentError)
    expect(() => new VMCodeBaseLibrary({ allowedOperations: ['execute' as never] })).toThrow(VMInvalidArgumentError)
    expect(() => new VMCodeBaseLibrary({ moduleResolver: 'x' as never })).toThrow(VMInvalidArgumentError)
  })
})

describe('built-in modules', () => {
  it('gives fs, fs/promises and path (node: prefixes too) as sandbox implementations', async () => {
    const { vm } = await setup({})
    expect(
      await vm.run(`
        const path = require('node:path')
        return [
          require('fs') === require('node:fs'),
          require('fs/promises') === require('fs').promises,
          path.join('/a', '../b', 'c.txt'),
          path.resolve('x'),
          path.extname('f.tar.gz'),
          path.relative('/a/b', '/a/c/d'),
          path.parse('/home/u/file.txt').name,
          path.sep,
        ]`),
    ).toEqual([true, true, '/b/c.txt', '/x', '.gz', '../c/d', 'file', '/'])
  })

  it('mocks other built-ins: loading never throws, calling does, prototypes exist', async () => {
    const { vm } = await setup({})
    expect(
      await vm.run(`
        const crypto = require('crypto')
        const { Transform } = require('node:stream')
        const proto = Object.create(Transform.prototype)
        let message
        try { crypto.createHash('sha256') } catch (e) { message = e.message }
        return [typeof crypto.createHash, typeof proto, message, require('http') === require('node:http')]`),
    ).toEqual(['function', 'object', "'crypto' is not available in the sandbox (called crypto.createHash)", true])
  })

  it('resolves a built-in name left out of mockModulesList from node_modules, so users can supply polyfills', async () => {
    const { vm } = await setup({ '/node_modules/events/index.js': 'module.exports = "my events polyfill"' }, { mockModulesList: ['crypto'] })
    expect(await vm.run('return [require("events"), typeof require("crypto").randomBytes]')).toEqual(['my events polyfill', 'function'])
  })

  it('offers no network in the VM', async () => {
    const { vm } = await setup({})
    expect(
      await vm.run(`
        const http = require('http')
        const out = [typeof fetch, typeof WebSocket, typeof XMLHttpRequest]
        for (const fn of [() => http.get('http://example.com'), () => require('net').connect(80), () => require('dns').lookup('x', () => {})]) {
          try { fn(); out.push('no throw') } catch (e) { out.push(e.message.includes('not available in the sandbox')) }
        }
        return out`),
    ).toEqual(['undefined', 'undefined', 'undefined', true, true, true])
  })
})

describe('entry files', () => {
  it('runs the entry file on run() and makes its exports callables (reference Codebase Usage)', async () => {
    const codebaseLib = new VMCodeBaseLibrary({ maxMemfsSize: 5 * 1024 * 1024, maxFileCount: 500, mockModulesList: ['crypto'] })
    const fs = codebaseLib.getFs()
    // The reference writes into /src without creating it; memfs (like Node) needs the directory first.
    await fs.promises.mkdir('/src', { recursive: true })
    await fs.promises.writeFile('/src/utils.js', 'module.exports = { add: (a, b) => a + b, multiply: (a, b) => a * b };')
    await fs.promises.writeFile(
      '/src/main.js',
      `
      const utils = require('./utils');
      const fs = require('fs/promises');
      async function main() {
        await fs.writeFile('/output.txt', 'Result: ' + utils.multiply(4, 7));
        return { success: true, sum: utils.add(5, 3) };
      }
      module.exports = { main };
    `,
    )
    codebaseLib.setEntryFile('/src/main.js')
    const tx = new VMIpcLibrary()
    const vm = trackVM(new VM([codebaseLib, tx]))
    await vm.initialize()
    expect(await vm.run()).toEqual({})
    // The reference never calls main; calling it is what produces /output.txt.
    expect(await tx.callIpc('main', [])).toEqual({ success: true, sum: 8 })
    expect(await fs.promises.readFile('/output.txt', 'utf-8')).toBe('Result: 28')
  })

  it('applies setEntryFile after initialize() to the next run, and allows top-level await in entry files', async () => {
    const { codebase, vm } = await setup({
      '/one.js': 'module.exports = { which: () => "one" }',
      '/two.js': 'const value = await Promise.resolve("two"); exposeCallables({ which: () => value })',
    })
    codebase.setEntryFile('/one.js')
    await vm.run()
    expect(await vm.call('which')).toBe('one')
    codebase.setEntryFile('/two')
    await vm.run()
    expect(await vm.call('which')).toBe('two')
    // A path without a leading slash is a file on the volume, as `node one.js` takes it.
    codebase.setEntryFile('one.js')
    await vm.run()
    expect(await vm.call('which')).toBe('one')
  })

  it('rejects run() of a missing entry file with the module error', async () => {
    const { codebase, vm } = await setup({})
    codebase.setEntryFile('/missing.js')
    await expect(vm.run()).rejects.toMatchObject({ vmCode: 'MODULE_NOT_FOUND' })
    expect(() => codebase.setEntryFile('' as never)).toThrow(VMInvalidArgumentError)
  })
})

describe('ES modules', () => {
  it('runs an .mjs entry as a real module with imports, exports and top-level await', async () => {
    const { codebase, vm } = await setup({
      '/esm/math.mjs': 'export const add = (a, b) => a + b\nexport default function twice(x) { return x * 2 }',
      '/esm/main.mjs': 'import twice, { add } from "./math.mjs"\nconst base = await Promise.resolve(10)\nexport function main(x) { return twice(add(x, base)) }\nexport const kind = typeof module',
    })
    codebase.setEntryFile('/esm/main.mjs')
    expect(await vm.run()).toEqual({ kind: 'undefined' })
    expect(await vm.call('main', [1])).toBe(22)
  })

  it('honours "type": "module" and imports CommonJS, JSON and built-ins with named exports', async () => {
    const { vm } = await setup({
      '/pkg/package.json': '{ "type": "module" }',
      '/pkg/index.js': 'import cjs, { value } from "./legacy.cjs"\nimport data from "./data.json"\nimport { join } from "path"\nimport fs from "node:fs"\nexport default [cjs.value, value, data.n, join("/a", "b"), typeof fs.readFileSync]',
      '/pkg/legacy.cjs': 'exports.value = 42',
      '/pkg/data.json': '{ "n": 7 }',
    })
    expect(await vm.run('const ns = await importModule("/pkg/index.js"); return ns.default')).toEqual([42, 42, 7, '/a/b', 'function'])
  })

  it('refuses require() of an ES module with ERR_REQUIRE_ESM, as Node 20 does', async () => {
    const { vm } = await setup({ '/m.mjs': 'export const x = 1' })
    expect(await vm.run('try { require("/m.mjs") } catch (e) { return e.code }')).toBe('ERR_REQUIRE_ESM')
  })

  it('reports syntax and evaluation errors of modules as VM errors', async () => {
    const { vm } = await setup({ '/bad.mjs': 'export const = 1', '/throws.mjs': 'throw new TypeError("at load")' })
    expect(await vm.run('try { await importModule("/bad.mjs") } catch (e) { return e.name }')).toBe('SyntaxError')
    expect(await vm.run('try { await importModule("/throws.mjs") } catch (e) { return e.message }')).toBe('at load')
  })

  it('consults moduleResolver for imports too', async () => {
    const { vm } = await setup({ '/main.mjs': 'import lib from "virtual-lib"\nexport default lib.answer' }, { moduleResolver: async (name) => (name === 'virtual-lib' ? 'module.exports = { answer: 42 }' : undefined) })
    expect(await vm.run('return (await importModule("/main.mjs")).default')).toBe(42)
  })
})
