import { posix } from 'node:path'
import type { IFs } from 'memfs'
import { type ModuleFormat, type PackageJson, type VolumeProbe, dirOf, formatOf, probeVolume, resolveModule } from './resolve.js'

/** A module added with `addModule`. */
export interface BaseCodebaseModule {
  name: string
  source: string
  format?: 'commonjs' | 'module'
}

/** Called first for every `require`/`import`, with the raw specifier; returns CommonJS source or undefined. */
export type ModuleResolver = (specifier: string, fromFile: string) => Promise<string | undefined> | string | undefined

export type LoadResult =
  | { kind: 'module'; filename: string; source: string; format: ModuleFormat }
  | { kind: 'builtin'; name: string }
  | { kind: 'mock'; name: string }
  | { kind: 'error'; code: string; message: string }

/** Sandbox implementations that always win over the volume: fs, fs/promises, path, process. */
export const SANDBOX_BUILTINS: readonly string[] = ['fs', 'fs/promises', 'path', 'path/posix', 'process']

/**
 * Node compatibility modules (pure-JS implementations bundled at build time). `node:` names always
 * get them; a bare name goes to the volume's node_modules first, so users can supply their own.
 */
export const COMPAT_BUILTINS: readonly string[] = ['buffer', 'events', 'util', 'util/types', 'url', 'string_decoder', 'assert', 'assert/strict']

/** Longest specifier or requiring path looked up (Linux's path limit). */
const MAX_NAME = 4096
/** Entries a lookup cache holds before it starts over (VM code chooses the keys). */
const MAX_CACHED = 10_000

/**
 * Finds modules for the VM, in the decided order: custom resolver → added modules → sandbox
 * built-ins and mocks → the volume (`node_modules` included) → compatibility modules. Resolver
 * results are cached per resolved module.
 */
export class ModuleLoader {
  readonly #added = new Map<string, BaseCodebaseModule>()
  readonly #addedFiles = new Map<string, BaseCodebaseModule>()
  readonly #resolved = new Map<string, { filename: string; source: string; format: ModuleFormat }>()

  readonly #probe: VolumeProbe
  // Probe results and answers, kept for one volume generation (and until a module is added).
  #cache = new Map<string, unknown>()
  #generation = -1

  #cached<T>(kind: string, key: string, read: (key: string) => T): T {
    const now = this.generation()
    if (now !== this.#generation) {
      this.#cache = new Map()
      this.#generation = now
    }
    const entry = `${kind}:${key}`
    if (this.#cache.has(entry)) return this.#cache.get(entry) as T
    const value = read(key)
    // VM code chooses what is looked up: the cache starts over rather than grow without bound.
    if (this.#cache.size >= MAX_CACHED) this.#cache = new Map()
    this.#cache.set(entry, value)
    return value
  }

  constructor(
    readonly fs: IFs,
    readonly resolver: ModuleResolver | undefined,
    readonly mockModules: ReadonlySet<string>,
    /** Changes whenever the volume may have changed; the lookup cache lives one generation. */
    readonly generation: () => number,
  ) {
    const direct = probeVolume(fs)
    // One directory listing answers "is it a file?" for every sibling (memfs stat calls are slow).
    const listing = (dir: string) =>
      this.#cached('l', dir, (path) => {
        try {
          const entries = new Map<string, string>()
          for (const entry of fs.readdirSync(path, { withFileTypes: true }) as Array<{ name: unknown; isSymbolicLink(): boolean; isDirectory(): boolean; isFile(): boolean }>) {
            entries.set(String(entry.name), entry.isSymbolicLink() ? 'link' : entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other')
          }
          return entries
        } catch {
          return undefined
        }
      })
    const typeOf = (path: string) => (path === '/' ? 'dir' : listing(posix.dirname(path))?.get(posix.basename(path)))
    this.#probe = {
      isFile: (path) => this.#cached('f', path, (p) => (typeOf(p) === 'link' ? direct.isFile(p) : typeOf(p) === 'file')),
      isDirectory: (path) => this.#cached('d', path, (p) => (typeOf(p) === 'link' ? direct.isDirectory(p) : typeOf(p) === 'dir')),
      readPackage: (dir) =>
        this.#cached<PackageJson | undefined>('p', dir, (d) => {
          const type = typeOf(posix.join(d, 'package.json'))
          return type === 'file' || type === 'link' ? direct.readPackage(d) : undefined
        }),
    }
    this.#readSource = (filename) => this.#cached('s', filename, (path) => String(fs.readFileSync(path, 'utf8')))
  }

  readonly #readSource: (filename: string) => string

  add(module: BaseCodebaseModule): void {
    this.#added.set(module.name, module)
    // Also under the file name it gets, which ES modules importing it use (after the volume, which
    // keeps its own files at that path).
    if (!module.name.startsWith('/')) this.#addedFiles.set(virtualName(module.name), module)
    this.#cache = new Map()
  }

  /**
   * Finds a module. Synchronous unless a `moduleResolver` answers with a promise: a blocking host
   * call that returns a plain value is answered sooner.
   */
  load(specifier: string, fromFile: string, mode: 'require' | 'import'): LoadResult | Promise<LoadResult> {
    // Both come from VM code: the requiring file is a volume path (a relative one would never end
    // the walk up to '/'), and names past Linux's path limit are not looked up, nor remembered.
    if (typeof fromFile !== 'string' || !fromFile.startsWith('/')) fromFile = `/${typeof fromFile === 'string' ? fromFile : ''}`
    if (typeof specifier !== 'string' || specifier === '') return notFound(String(specifier), fromFile)
    if (specifier.length > MAX_NAME || fromFile.length > MAX_NAME) return notFound(`${specifier.slice(0, 64)}…`, fromFile.slice(0, 64))
    const virtual = this.#resolved.get(specifier)
    if (virtual) return { kind: 'module', ...virtual }
    if (this.resolver) {
      const key = isRelative(specifier) ? posix.resolve(dirOf(fromFile), specifier) : virtualName(specifier)
      const cached = this.#resolved.get(key)
      if (cached) return { kind: 'module', ...cached }
      const source = this.resolver(specifier, fromFile)
      if (isThenable(source)) return Promise.resolve(source).then((value) => this.#afterResolver(key, value, specifier, fromFile, mode))
      return this.#afterResolver(key, source, specifier, fromFile, mode)
    }
    return this.#loadLocal(specifier, fromFile, mode)
  }

  #afterResolver(key: string, source: string | undefined, specifier: string, fromFile: string, mode: 'require' | 'import'): LoadResult {
    if (typeof source === 'string') {
      const entry = { filename: key, source, format: 'commonjs' as const }
      if (this.#resolved.size >= MAX_CACHED) this.#resolved.delete(this.#resolved.keys().next().value as string)
      this.#resolved.set(key, entry)
      return { kind: 'module', ...entry }
    }
    return this.#loadLocal(specifier, fromFile, mode)
  }

  /**
   * Added modules, sandbox built-ins and mocks, the volume, compatibility modules. Answers are
   * cached by mode, requiring file (not its directory: errors name it) and specifier, since VMs
   * over one volume ask the same questions.
   */
  #loadLocal(specifier: string, fromFile: string, mode: 'require' | 'import'): LoadResult {
    return this.#cached('r', `${mode}\u0000${fromFile}\u0000${specifier}`, () => this.#find(specifier, fromFile, mode))
  }

  #find(specifier: string, fromFile: string, mode: 'require' | 'import'): LoadResult {
    const added = this.#added.get(specifier)
    if (added) {
      return { kind: 'module', filename: added.name.startsWith('/') ? added.name : virtualName(added.name), source: added.source, format: added.format ?? 'commonjs' }
    }
    const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier
    if (SANDBOX_BUILTINS.includes(bare)) return { kind: 'builtin', name: bare === 'path/posix' ? 'path' : bare }
    if (this.mockModules.has(bare)) return { kind: 'mock', name: bare }
    const compat = COMPAT_BUILTINS.includes(bare)
    if (specifier.startsWith('node:')) return compat ? { kind: 'builtin', name: bare } : notFound(specifier, fromFile)
    const filename = resolveModule(this.#probe, specifier, fromFile, mode === 'import' ? ['import', 'node', 'default'] : ['require', 'node', 'default'])
    if (!filename) {
      const byFile = this.#addedFiles.get(specifier)
      if (byFile) return { kind: 'module', filename: specifier, source: byFile.source, format: byFile.format ?? 'commonjs' }
      return compat ? { kind: 'builtin', name: bare } : notFound(specifier, fromFile)
    }
    return { kind: 'module', filename, source: this.#readSource(filename), format: formatOf(this.#probe, filename) }
  }

  /** Resolves a thread entry on the volume ('/worker' → '/worker.js', directories to their index). */
  resolveFile(specifier: string, from = '/'): string | undefined {
    const relative = specifier.startsWith('/') || isRelative(specifier) ? specifier : `./${specifier}`
    return resolveModule(this.#probe, relative, from, ['require', 'node', 'default'])
  }
}

const FORMAT_CODES: Record<ModuleFormat, string> = { commonjs: 'c', module: 'm', json: 'j' }

/**
 * A load result as one string for the VM (see decodeLoad in vmCode.ts): a string crosses into the
 * VM as it is, while an object is serialized, which costs ~10 µs per module — a third of a
 * require. Module: format code, filename, NUL, source; built-in and mock: 'b' or 'k' and the name;
 * error: 'e', code, NUL, message.
 */
export function encodeLoadResult(result: LoadResult): string {
  switch (result.kind) {
    case 'module':
      return `${FORMAT_CODES[result.format]}${result.filename}\u0000${result.source}`
    case 'builtin':
      return `b${result.name}`
    case 'mock':
      return `k${result.name}`
    case 'error':
      return `e${result.code}\u0000${result.message}`
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
}

function isRelative(specifier: string): boolean {
  return specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..'
}

/** Where a module that is not a file (resolver-provided, added by name) lives in the VM's module map. */
function virtualName(name: string): string {
  return posix.join('/node_modules', name)
}

function notFound(specifier: string, fromFile: string): LoadResult {
  return { kind: 'error', code: 'MODULE_NOT_FOUND', message: `Cannot find module '${specifier}' from '${fromFile}'` }
}
