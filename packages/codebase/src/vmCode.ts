import { pathSource } from './generated/embedded.js'
import { processCode } from './processCode.js'
import { OPEN } from './SandboxFs.js'

/**
 * The VM half of the codebase: `require` (CommonJS, module cache, cycles), `importModule` (real ES
 * modules compiled by core), the `fs`, `fs/promises`, `path` and mocked built-in modules, the
 * `process` and `Buffer` globals, and the compatibility modules, each evaluated on first use.
 * Each new module costs one blocking host call (resolve + read together); each fs call one.
 */
export function vmCode(mockNames: readonly string[]): string {
  return /* js */ `(function () {
'use strict'
const G = globalThis
const load = G.__vmm_codebase_load
const fsCall = G.__vmm_codebase_fs
const hostImport = G.__vmm_codebase_import
const compatScripts = G.__vmm_codebase_compat
const initialEnv = G.__vmm_codebase_env
delete G.__vmm_codebase_load
delete G.__vmm_codebase_fs
delete G.__vmm_codebase_import
delete G.__vmm_codebase_compat
delete G.__vmm_codebase_env
const takeNamespace = G.__vmm_take_namespace
const lazyGlobal = G.__vmm_lazy_global
const indirectEval = eval
const apply = Reflect.apply
const ObjectKeys = Object.keys
const hasOwn = Object.prototype.hasOwnProperty
const defineProperty = Object.defineProperty
const ErrorCtor = Error
const DateCtor = Date
const PromiseCtor = Promise
const mockNames = new Set(${JSON.stringify(mockNames)})

const pathModule = (() => {
  const module = { exports: {} }
  ;(function (module, exports, process) {
${pathSource}
  })(module, module.exports, { cwd: () => '/' })
  return module.exports
})()

// ---- fs ------------------------------------------------------------------------------------
function fsError(info) {
  const error = new ErrorCtor(info.message)
  if (info.name && info.name !== 'Error') error.name = info.name
  error.code = info.code
  if (info.syscall) error.syscall = info.syscall
  if (info.path !== undefined) error.path = info.path
  return error
}
function call(op, args) {
  const result = fsCall(op, args)
  if (hasOwn.call(result, 'error')) throw fsError(result.error)
  return result.ok
}
const kType = Symbol('type')
// What Stats and Dirent share: the type predicates over the entry's type.
class EntryType {
  isFile() { return this[kType] === 'file' }
  isDirectory() { return this[kType] === 'directory' }
  isSymbolicLink() { return this[kType] === 'symlink' }
  isFIFO() { return false }
  isSocket() { return false }
  isBlockDevice() { return false }
  isCharacterDevice() { return false }
}
class Stats extends EntryType {
  constructor(info) {
    super()
    this[kType] = info.type
    this.size = info.size
    this.mode = info.mode
    this.atimeMs = info.atimeMs
    this.mtimeMs = info.mtimeMs
    this.ctimeMs = info.ctimeMs
    this.birthtimeMs = info.birthtimeMs
    this.atime = new DateCtor(info.atimeMs)
    this.mtime = new DateCtor(info.mtimeMs)
    this.ctime = new DateCtor(info.ctimeMs)
    this.birthtime = new DateCtor(info.birthtimeMs)
  }
}
class Dirent extends EntryType {
  constructor(name, type, parentPath) {
    super()
    this.name = name
    this.parentPath = parentPath
    this.path = parentPath
    this[kType] = type
  }
}
const encodingOf = (options) => (typeof options === 'string' ? options : options && options.encoding) || undefined
const BufferOf = () => compatModule('buffer').Buffer
const toBuffer = (bytes) => BufferOf().from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
function toData(data, options) {
  const encoding = encodingOf(options)
  if (typeof data === 'string' && encoding && !/^utf-?8$/i.test(encoding)) return new Uint8Array(BufferOf().from(data, encoding))
  if (typeof data === 'string' || data instanceof Uint8Array) return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (data !== null && typeof data === 'object' && typeof data.toString === 'function' && data.toString !== Object.prototype.toString) return String(data)
  return data
}
function flagOf(options) {
  if (options === null || typeof options !== 'object' || options.flag === undefined) return undefined
  return typeof options.flag === 'number' ? options.flag : String(options.flag)
}
function readFileSync(path, options) {
  const encoding = encodingOf(options)
  const result = call('readFile', [path, encoding && !/^(utf-?8|latin1)$/i.test(encoding) ? undefined : encoding])
  if (typeof result === 'string') return result
  if (encoding) return toBuffer(result).toString(encoding)
  return toBuffer(result)
}
function readdirSync(path, options) {
  const withFileTypes = Boolean(options && options.withFileTypes)
  const result = call('readdir', [path, withFileTypes])
  if (!withFileTypes) return result
  const parent = pathModule.resolve('/', typeof path === 'string' ? path : String(path))
  return result.map((entry) => new Dirent(entry.name, entry.type, parent))
}
function statSync(path, options) {
  try {
    return new Stats(call('stat', [path]))
  } catch (error) {
    if (options && options.throwIfNoEntry === false && error.code === 'ENOENT') return undefined
    throw error
  }
}
function lstatSync(path, options) {
  try {
    return new Stats(call('lstat', [path]))
  } catch (error) {
    if (options && options.throwIfNoEntry === false && error.code === 'ENOENT') return undefined
    throw error
  }
}
function realpathSync(path) { return call('realpath', [path]) }
realpathSync.native = realpathSync
const sync = {
  readFileSync,
  writeFileSync: (path, data, options) => { call('writeFile', [path, toData(data, options), flagOf(options)]) },
  appendFileSync: (path, data, options) => { call('appendFile', [path, toData(data, options), flagOf(options)]) },
  mkdirSync: (path, options) => call('mkdir', [path, Boolean(options && (options === true || options.recursive))]),
  readdirSync,
  statSync,
  lstatSync,
  existsSync: (path) => { try { return call('exists', [path]) } catch { return false } },
  accessSync: (path, mode) => { call('access', [path, mode]) },
  unlinkSync: (path) => { call('unlink', [path]) },
  rmSync: (path, options) => { call('rm', [path, { recursive: Boolean(options && options.recursive), force: Boolean(options && options.force) }]) },
  rmdirSync: (path, options) => { call('rmdir', [path, { recursive: Boolean(options && options.recursive) }]) },
  renameSync: (from, to) => { call('rename', [from, to]) },
  copyFileSync: (from, to, mode) => { call('copyFile', [from, to, mode]) },
  realpathSync,
  symlinkSync: (target, path) => { call('symlink', [target, path]) },
  readlinkSync: (path) => call('readlink', [path]),
  truncateSync: (path, length) => { call('truncate', [path, length]) },
  mkdtempSync: (prefix) => call('mkdtemp', [prefix]),
}
const names = ObjectKeys(sync)
const promises = {}
const fs = { constants: { F_OK: 0, R_OK: 4, W_OK: 2, X_OK: 1, COPYFILE_EXCL: 1, ...${JSON.stringify(OPEN)} }, Stats, Dirent, promises }
for (let i = 0; i < names.length; i++) {
  const syncName = names[i]
  const base = syncName.slice(0, -4)
  const fn = sync[syncName]
  fs[syncName] = fn
  if (base === 'exists') {
    fs.exists = (path, callback) => { const result = fn(path); PromiseCtor.resolve().then(() => callback(result)) }
    continue
  }
  promises[base] = (...args) => new PromiseCtor((resolve) => resolve(apply(fn, undefined, args)))
  fs[base] = (...args) => {
    const callback = args.pop()
    if (typeof callback !== 'function') throw new TypeError('The "cb" argument must be of type function. Received ' + typeof callback)
    let result
    try {
      result = apply(fn, undefined, args)
    } catch (error) {
      PromiseCtor.resolve().then(() => callback(error))
      return
    }
    PromiseCtor.resolve().then(() => callback(null, result))
  }
}
promises.constants = fs.constants
fs.realpath.native = fs.realpath
fs.realpathSync.native = realpathSync
promises.exists = undefined
delete promises.exists

// ---- mocks -----------------------------------------------------------------------------------
const mocks = new Map()
function mockModule(name) {
  let mock = mocks.get(name)
  if (mock) return mock
  const members = new Map()
  const member = (key) => {
    let fn = members.get(key)
    if (!fn) {
      fn = function () { throw new ErrorCtor("'" + name + "' is not available in the sandbox (called " + name + '.' + key + ')') }
      members.set(key, fn)
    }
    return fn
  }
  mock = new Proxy(function () { throw new ErrorCtor("'" + name + "' is not available in the sandbox") }, {
    get(target, key) {
      if (typeof key === 'symbol' || key === 'then' || key === '__esModule' || key === 'prototype') return target[key]
      if (key === 'default') return mock
      return member(key)
    },
  })
  mocks.set(name, mock)
  return mock
}

// ---- process, Buffer and the compatibility modules -------------------------------------------
${processCode}
let processObject
const getProcess = () => processObject || (processObject = createProcess(initialEnv))
const compatModules = new Map()
// Each module's bundled CommonJS body runs on first require; its own requires reach the sandbox's
// built-ins directly (never the volume or the moduleResolver), as Node's built-ins do.
function compatModule(name) {
  if (name === 'process') return getProcess()
  if (name === 'path') return pathModule
  if (name === 'assert/strict') return compatModule('assert').strict
  if (name === 'util/types') return compatModule('util').types
  const cached = compatModules.get(name)
  if (cached) return cached.exports
  if (!hasOwn.call(compatScripts, name)) throw new ErrorCtor("No built-in module '" + name + "'")
  const module = { id: 'node:' + name, exports: {}, loaded: false }
  compatModules.set(name, module)
  try {
    compatScripts[name]()(module.exports, compatModule, module, getProcess())
  } catch (error) {
    compatModules.delete(name)
    throw error
  }
  module.loaded = true
  return module.exports
}
lazyGlobal('process', getProcess)
lazyGlobal('Buffer', () => compatModule('buffer').Buffer)

// ---- CommonJS --------------------------------------------------------------------------------
const builtins = { fs, 'fs/promises': promises, path: pathModule }
const builtinModule = (name) => (hasOwn.call(builtins, name) ? builtins[name] : compatModule(name))
const cache = { __proto__: null }
const lookups = new Map()

// The require path's functions are in parentheses: V8 compiles them with the script, so the code
// cache holds them (they first run when VM code requires, after setup).
// posix dirname without the path module's general parsing, for absolute paths without a trailing
// slash (module filenames): it runs once or twice per require.
const dirnameOf = (function dirnameOf(path) {
  if (path[0] !== '/' || path[path.length - 1] === '/') return pathModule.dirname(path)
  const slash = path.lastIndexOf('/')
  return slash === 0 ? '/' : path.slice(0, slash)
})

class Module {
  constructor(filename) {
    this.id = filename
    this.filename = filename
    this.path = dirnameOf(filename)
    this.exports = {}
    this.loaded = false
    this.children = []
    this.paths = []
  }
}

function moduleError(result) {
  const error = new ErrorCtor(result.message)
  error.code = result.code
  return error
}

// The host's answer as one string (see encodeLoadResult in ModuleLoader.ts).
const formats = { c: 'commonjs', m: 'module', j: 'json' }
const decodeLoad = (function decodeLoad(encoded) {
  const tag = encoded[0]
  if (tag === 'b') return { kind: 'builtin', name: encoded.slice(1) }
  if (tag === 'k') return { kind: 'mock', name: encoded.slice(1) }
  const split = encoded.indexOf('\\u0000')
  if (tag === 'e') return { kind: 'error', code: encoded.slice(1, split), message: encoded.slice(split + 1) }
  return { kind: 'module', format: formats[tag], filename: encoded.slice(1, split), source: encoded.slice(split + 1) }
})

const resolveLoad = (function resolveLoad(specifier, fromFile, mode) {
  if (typeof specifier !== 'string') throw new TypeError('The "id" argument must be of type string. Received ' + typeof specifier)
  const key = mode + '\\u0000' + (fromFile.endsWith('/') ? fromFile : dirnameOf(fromFile)) + '\\u0000' + specifier
  let result = lookups.get(key)
  // Deleted from require.cache: ask again (the file may have changed since).
  if (result !== undefined && result.kind === 'module' && cache[result.filename] === undefined) result = undefined
  if (result === undefined) {
    result = decodeLoad(load(specifier, fromFile, mode))
    if (result.kind !== 'error') lookups.set(key, result)
  }
  return result
})

const compile = (function compile(filename, source, isAsync) {
  const body = source.startsWith('#!') ? '//' + source : source
  const wrapper = '(' + (isAsync ? 'async ' : '') + 'function (exports, require, module, __filename, __dirname, importModule) {' + body + '\\n})\\n//# sourceURL=' + filename
  try {
    return indirectEval(wrapper)
  } catch (error) {
    // The module declares its own importModule (let, const, class), which the parameter forbids:
    // without it, the module's own binding is the one it sees.
    if (!(error instanceof SyntaxError && /'importModule'/.test(error.message))) throw error
    return indirectEval('(' + (isAsync ? 'async ' : '') + 'function (exports, require, module, __filename, __dirname) {' + body + '\\n})\\n//# sourceURL=' + filename)
  }
})

const instantiate = (function instantiate(result, parent, allowTopLevelAwait) {
  const existing = cache[result.filename]
  if (existing) return existing.exports
  if (result.format === 'module') {
    const error = new ErrorCtor('require() of ES Module ' + result.filename + ' is not supported. Use importModule() instead.')
    error.code = 'ERR_REQUIRE_ESM'
    throw error
  }
  const module = new Module(result.filename)
  if (parent) parent.children.push(module)
  else if (allowTopLevelAwait) mainModule = module // the entry file: require.main
  cache[result.filename] = module
  try {
    if (result.format === 'json') {
      // Like Node, a byte order mark before the JSON is skipped.
      module.exports = JSON.parse(result.source.charCodeAt(0) === 0xfeff ? result.source.slice(1) : result.source)
    } else {
      let fn
      try {
        fn = compile(result.filename, result.source, false)
      } catch (error) {
        if (!(allowTopLevelAwait && error instanceof SyntaxError && /await/.test(error.message))) throw error
        fn = compile(result.filename, result.source, true)
      }
      const value = apply(fn, module.exports, [module.exports, makeRequire(result.filename, module), module, result.filename, module.path, moduleImport(result.filename)])
      if (value instanceof PromiseCtor) {
        return then(value, () => {
          module.loaded = true
          return module.exports
        })
      }
    }
  } catch (error) {
    delete cache[result.filename]
    if (mainModule === module) mainModule = undefined
    throw error
  }
  module.loaded = true
  return module.exports
})
const then = (function then(promise, fn) { return apply(PromiseCtor.prototype.then, promise, [fn]) })

const requireFrom = (function requireFrom(specifier, fromFile, parent) {
  const result = resolveLoad(specifier, fromFile, 'require')
  if (result.kind === 'error') throw moduleError(result)
  if (result.kind === 'builtin') return builtinModule(result.name)
  if (result.kind === 'mock') return mockModule(result.name)
  return instantiate(result, parent, false)
})

function makeRequire(fromFile, parent) {
  const require = (function require(specifier) { return requireFrom(specifier, fromFile, parent) })
  require.resolve = (function resolve(specifier) {
    const result = resolveLoad(specifier, fromFile, 'require')
    if (result.kind === 'error') throw moduleError(result)
    if (result.kind === 'module') return result.filename
    return specifier.startsWith('node:') ? specifier : result.name
  })
  require.cache = cache
  // The entry file's module once vm.run() loaded one (as in Node, the same for every module
  // loaded since).
  require.main = mainModule
  return require
}
let mainModule

// Inside a module, importModule resolves from that module, as import() does.
const moduleImport = (function moduleImport(filename) {
  return (function importModule(specifier) { return importFrom(specifier, filename) })
})

// ---- ES modules ------------------------------------------------------------------------------
async function importModule(specifier, fromFile = '/') {
  return importFrom(specifier, fromFile)
}
async function importFrom(specifier, fromFile) {
  if (typeof specifier !== 'string') throw new TypeError('importModule(specifier) needs a string')
  const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier
  // A mock answers every name (and default) itself; a real built-in gets a namespace.
  if (mockNames.has(bare)) return requireFrom(specifier, fromFile, undefined)
  if (hasOwn.call(builtins, bare) || bare === 'path/posix') return namespaceOf(requireFrom(specifier, fromFile, undefined))
  const id = await hostImport(specifier, fromFile)
  return takeNamespace(id)
}
// A module namespace for a CommonJS-style value, as import() gives for Node's built-ins: its
// properties as named exports and the value itself as default.
function namespaceOf(value) {
  const namespace = { __proto__: null }
  if (value !== null && (typeof value === 'object' || typeof value === 'function')) for (const key of ObjectKeys(value)) namespace[key] = value[key]
  namespace.default = value
  defineProperty(namespace, Symbol.toStringTag, { value: 'Module' })
  return Object.freeze(namespace)
}

const rootRequire = makeRequire('/', undefined)
G.require = rootRequire
G.importModule = importModule
const internal = Symbol.for('vm-machine.codebase')
Object.defineProperty(G, internal, {
  value: Object.freeze({
    require: (specifier) => requireFrom(specifier, '/', undefined),
    runEntry(filename) {
      const result = resolveLoad(filename, '/', 'require')
      if (result.kind === 'error') throw moduleError(result)
      if (result.kind === 'module' && result.format === 'module') return importModule(filename)
      if (result.kind !== 'module') return requireFrom(filename, '/', undefined)
      const exports = instantiate(result, undefined, true)
      return exports
    },
  }),
})
__vmm_expose('codebase.exportNames', (specifier) => {
  const value = requireFrom(specifier, '/', undefined)
  return value !== null && (typeof value === 'object' || typeof value === 'function') ? ObjectKeys(value) : []
})
})()`
}
