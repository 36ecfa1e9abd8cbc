import { builtinModules, createRequire } from 'node:module'
import { posix } from 'node:path'
import {
  type VM,
  VMCodebase,
  type VMCodebaseProvider,
  VMEntry,
  VMInvalidArgumentError,
  type VMLibrary,
  VMLibraryGroup,
  type VMReferences,
  VMScriptError,
  hostFunction,
  vmScript,
} from '@vm-machine/core'
import { type IFs, memfs } from 'memfs'
import { compatSources } from './generated/embedded.js'
import { type BaseCodebaseModule, COMPAT_BUILTINS, type LoadResult, ModuleLoader, type ModuleResolver, SANDBOX_BUILTINS, encodeLoadResult } from './ModuleLoader.js'
import { type FsOperation, SandboxFs } from './SandboxFs.js'
import { vmCode } from './vmCode.js'

export interface VMCodeBaseModulesLibraryOptions {
  /** `process.env` in the VM: copied at construction, values as strings; never the host's environment. @default { NODE_ENV: 'production' } */
  env?: Record<string, string>
  /** Built-in module names that resolve to a mock whose functions throw when called. @default every Node built-in except fs, fs/promises, path, process and the compatibility modules (buffer, events, util, url, string_decoder, assert) */
  mockModulesList?: string[]
  /** Consulted first for every require/import with the raw specifier and the requiring file; returns CommonJS source or undefined. */
  moduleResolver?: ModuleResolver
  /** Total bytes of files VM code may bring the volume to. @default 10 * 1024 * 1024 */
  maxMemfsSize?: number
  /** Entries (files, directories, symlinks) VM code may bring the volume to. @default 1000 */
  maxFileCount?: number
  /** VM writes, renames and deletes under these paths fail with EROFS. @default [] */
  readOnlyPaths?: string[]
  /** What VM code may do to the volume. @default ['read', 'write', 'delete'] */
  allowedOperations?: FsOperation[]
}

const DEFAULT_MOCKS = builtinModules.filter((name) => !name.startsWith('_') && !SANDBOX_BUILTINS.includes(name) && !COMPAT_BUILTINS.includes(name))
// Compiled (with the code cache) only when VM code first requires the module.
const COMPAT_SCRIPTS = Object.fromEntries(
  Object.entries(compatSources).map(([name, body]) => [name, vmScript(`(function (exports, require, module, process) {${body}\n})`, `node:${name}`)]),
)
const hostRequire = createRequire('/')
const OPERATIONS: readonly FsOperation[] = ['read', 'write', 'delete']
const MUTATING = /^(write|append|mkdir|mkdtemp|rm|rmdir|unlink|rename|copy|cp|symlink|link|truncate|ftruncate|utimes|lutimes|futimes|chmod|chown|lchown|open|create|fsync|close)/i

interface Shared {
  fs: IFs
  sandbox: SandboxFs
  loader: ModuleLoader
  mockNames: string[]
  env: Record<string, string>
}

/**
 * A virtual filesystem (memfs) and a Node-style module system in the VM: `require`, real ES
 * modules via `importModule`, `node_modules`, sandbox `fs`/`fs/promises`/`path`, mocked built-ins.
 */
export class VMCodeBaseLibrary extends VMLibraryGroup {
  readonly #shared: Shared
  readonly #hostFs: IFs
  #entryFile: string | undefined
  #vm: VM | undefined

  constructor(options: VMCodeBaseModulesLibraryOptions = {}, shared?: Shared) {
    super([])
    this.#shared = shared ?? createShared(options)
    this.#hostFs = hostView(this.#shared)
  }

  /** The volume as a full memfs `fs` (promises included). Host writes are not limited but count toward the VM's limits. */
  getFs(): IFs {
    return this.#hostFs
  }

  /** `vm.run()` without code runs this file; its exports become the VM's callables. Applies to the next run. */
  setEntryFile(entryFile: string): void {
    if (typeof entryFile !== 'string' || entryFile === '') throw new VMInvalidArgumentError(`setEntryFile(path) needs a path string; got ${String(entryFile)}`)
    // A file on the volume, as `node main.js` takes one: a relative path starts at the VM's cwd, '/'.
    this.#entryFile = posix.resolve('/', entryFile)
  }

  /** Adds a module that `require(name)` returns (after the custom resolver, before the volume). */
  addModule(module: BaseCodebaseModule): void
  addModule(name: string, source: string): void
  addModule(nameOrModule: string | BaseCodebaseModule, source?: string): void {
    const module = typeof nameOrModule === 'string' ? { name: nameOrModule, source: source as string } : nameOrModule
    if (!module || typeof module.name !== 'string' || module.name === '' || typeof module.source !== 'string') {
      throw new VMInvalidArgumentError('addModule(name, source) needs a module name and source string')
    }
    if (module.format !== undefined && module.format !== 'commonjs' && module.format !== 'module') {
      throw new VMInvalidArgumentError(`addModule: format must be 'commonjs' or 'module'; got ${String(module.format)}`)
    }
    this.#shared.loader.add(module)
  }

  override attach(vm: VM): void {
    this.#vm = vm
    const provider: VMCodebaseProvider = {
      resolveFile: (specifier, from) => this.#shared.loader.resolveFile(specifier, from),
      createLibrary: (entryFile) => {
        const library = new VMCodeBaseLibrary({}, this.#shared)
        if (entryFile) library.setEntryFile(entryFile)
        return library as VMLibrary
      },
    }
    vm.provide(VMCodebase, provider)
    vm.provide(VMEntry, {
      getEntry: () => {
        if (this.#entryFile === undefined) return undefined
        return { code: `return await globalThis[Symbol.for('vm-machine.codebase')].runEntry(${JSON.stringify(this.#entryFile)})`, filename: `entry:${this.#entryFile}` }
      },
    })
  }

  override getReferences(): VMReferences {
    const { loader, sandbox } = this.#shared
    return {
      __vmm_codebase_load: hostFunction((specifier: string, fromFile: string, mode: 'require' | 'import') => {
        const result = loader.load(specifier, fromFile, mode)
        return result instanceof Promise ? result.then(encodeLoadResult) : encodeLoadResult(result)
      }, 'blocking'),
      __vmm_codebase_fs: hostFunction((op: string, args: unknown[]) => sandbox.run(op, args), 'blocking'),
      __vmm_codebase_import: hostFunction((specifier: string, fromFile: string) => this.#import(specifier, fromFile), 'async'),
      __vmm_codebase_compat: COMPAT_SCRIPTS,
      __vmm_codebase_env: this.#shared.env,
    }
  }

  override getVmCode(): string {
    return vmCode(this.#shared.mockNames)
  }

  async #import(specifier: string, fromFile: string): Promise<number> {
    const vm = this.#vm
    if (!vm) throw new Error('importModule() needs an initialized VM')
    const exportNames = vm.getVmFunction('codebase.exportNames')
    const toSource = async (result: LoadResult, specifier: string): Promise<{ filename: string; source: string }> => {
      if (result.kind === 'error') throw Object.assign(new Error(result.message), { code: result.code })
      if (result.kind === 'module' && result.format === 'module') return { filename: result.filename, source: result.source }
      // CommonJS, JSON, built-ins and mocks are loaded by require() in the VM and re-exported;
      // a mock exports the names of the real Node module, so named imports of it link.
      const id = result.kind === 'module' ? result.filename : `node:${result.name}`
      const found = (await exportNames(id)) as string[]
      const names = [...new Set(result.kind === 'mock' ? [...found, ...hostExportNames(result.name)] : found)].filter((name) => name !== 'default')
      const lines = [`const m = globalThis[Symbol.for('vm-machine.codebase')].require(${JSON.stringify(id)})`, 'export default m']
      names.forEach((name, index) => lines.push(`const e${index} = m[${JSON.stringify(name)}]`, `export { e${index} as ${JSON.stringify(name)} }`))
      return { filename: `${id}?commonjs-${specifier === id ? 'entry' : 'import'}`, source: lines.join('\n') }
    }
    const entry = await toSource(await this.#shared.loader.load(specifier, fromFile, 'import'), specifier)
    try {
      return await vm.importModule(entry, async (dependency, referrer) =>
        toSource(await this.#shared.loader.load(dependency, referrer.replace(/\?commonjs-.*$/, ''), 'import'), dependency),
      )
    } catch (error) {
      // Hand the module's own error back to the VM under its own name (SyntaxError, TypeError…).
      if (error instanceof VMScriptError) throw Object.assign(new Error(error.message), { name: error.vmName, code: error.vmCode })
      throw error
    }
  }
}

function createShared(options: VMCodeBaseModulesLibraryOptions): Shared {
  if (typeof options !== 'object' || options === null) throw new VMInvalidArgumentError('VMCodeBaseLibrary options must be an object')
  const {
    env = { NODE_ENV: 'production' },
    mockModulesList = DEFAULT_MOCKS,
    moduleResolver,
    maxMemfsSize = 10 * 1024 * 1024,
    maxFileCount = 1000,
    readOnlyPaths = [],
    allowedOperations = [...OPERATIONS],
  } = options
  if (!Array.isArray(mockModulesList) || mockModulesList.some((name) => typeof name !== 'string')) throw new VMInvalidArgumentError('mockModulesList must be an array of module names')
  if (moduleResolver !== undefined && typeof moduleResolver !== 'function') throw new VMInvalidArgumentError('moduleResolver must be a function')
  if (typeof env !== 'object' || env === null || Array.isArray(env)) throw new VMInvalidArgumentError('env must be an object of strings (process.env in the VM)')
  for (const [name, value] of [['maxMemfsSize', maxMemfsSize], ['maxFileCount', maxFileCount]] as const) {
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) throw new VMInvalidArgumentError(`${name} must be a number >= 0; got ${String(value)}`)
  }
  if (!Array.isArray(readOnlyPaths) || readOnlyPaths.some((path) => typeof path !== 'string')) throw new VMInvalidArgumentError('readOnlyPaths must be an array of paths')
  if (!Array.isArray(allowedOperations) || allowedOperations.some((op) => !OPERATIONS.includes(op))) {
    throw new VMInvalidArgumentError(`allowedOperations must be a subset of ${OPERATIONS.join(', ')}`)
  }
  const mockNames = mockModulesList.map((name) => (name.startsWith('node:') ? name.slice(5) : name)).filter((name) => !SANDBOX_BUILTINS.includes(name))
  const { fs } = memfs({}, '/')
  const sandbox = new SandboxFs(fs, { maxMemfsSize, maxFileCount, readOnlyPaths, allowedOperations })
  const loader = new ModuleLoader(fs, moduleResolver, new Set(mockNames), () => sandbox.generation)
  return { fs, sandbox, loader, mockNames, env: Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value)])) }
}

/** Export names of the host's own Node built-in `name`, which the sandbox mocks. */
function hostExportNames(name: string): string[] {
  try {
    return Object.keys(hostRequire(`node:${name}`) as object).filter((key) => /^[A-Za-z_$][\w$]*$/.test(key))
  } catch {
    return []
  }
}

/** The host's fs: memfs itself, except that calls which may change the volume mark the VM's totals stale. */
function hostView({ fs, sandbox }: Shared): IFs {
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, key, receiver) {
        const value = Reflect.get(object, key, receiver)
        if (key === 'promises' && value && typeof value === 'object') return wrappedPromises
        if (typeof value !== 'function' || typeof key !== 'string' || !MUTATING.test(key)) return value
        return (...args: unknown[]) => {
          sandbox.invalidate()
          const result = Reflect.apply(value, object, args)
          if (result && typeof (result as Promise<unknown>).then === 'function') return (result as Promise<unknown>).finally(() => sandbox.invalidate())
          return result
        }
      },
    })
  const wrappedPromises = wrap(fs.promises as object)
  return wrap(fs)
}

export type { BaseCodebaseModule, ModuleResolver }
