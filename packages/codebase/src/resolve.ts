import { posix } from 'node:path'
import type { IFs } from 'memfs'

/** What resolution needs to know of the volume; ModuleLoader answers it from a cache. */
export interface VolumeProbe {
  isFile(path: string): boolean
  isDirectory(path: string): boolean
  readPackage(dir: string): PackageJson | undefined
}

export type ModuleFormat = 'commonjs' | 'module' | 'json'

const EXTENSIONS = ['.js', '.json', '.cjs', '.mjs']

/**
 * Node's resolution algorithm over the volume: relative and absolute paths with extension and
 * `index` resolution, and `node_modules` lookup honouring `package.json` `exports` (with the
 * given conditions) and `main`. Returns the resolved file, or undefined.
 */
export function resolveModule(fs: VolumeProbe, specifier: string, fromFile: string, conditions: readonly string[]): string | undefined {
  if (specifier.startsWith('/') || specifier.startsWith('./') || specifier.startsWith('../') || specifier === '.' || specifier === '..') {
    const base = specifier.startsWith('/') ? specifier : posix.join(dirOf(fromFile), specifier)
    return loadAsFile(fs, base) ?? loadAsDirectory(fs, base, conditions)
  }
  const [name, subpath] = splitPackage(specifier)
  for (let dir = dirOf(fromFile); ; dir = posix.dirname(dir)) {
    const root = posix.join(dir, 'node_modules', name)
    if (fs.isDirectory(root)) {
      const pkg = fs.readPackage(root)
      if (pkg?.exports !== undefined) {
        const target = resolveExports(pkg.exports, subpath, conditions)
        if (target) {
          const full = posix.join(root, target)
          if (fs.isFile(full)) return full
        }
      } else {
        const full = subpath === '.' ? root : posix.join(root, subpath)
        const found = loadAsFile(fs, full) ?? loadAsDirectory(fs, full, conditions)
        if (found) return found
      }
    }
    // '/' ends the walk; a relative directory would end at '.' (dirname('.') is '.').
    if (dir === '/' || posix.dirname(dir) === dir) return undefined
  }
}

/** The format Node would load `filename` in: by extension, then the nearest package.json `type`. */
export function formatOf(fs: VolumeProbe, filename: string): ModuleFormat {
  if (filename.endsWith('.json')) return 'json'
  if (filename.endsWith('.mjs')) return 'module'
  if (filename.endsWith('.cjs')) return 'commonjs'
  for (let dir = posix.dirname(filename); ; dir = posix.dirname(dir)) {
    const pkg = fs.readPackage(dir)
    if (pkg) return pkg.type === 'module' ? 'module' : 'commonjs'
    if (dir === '/' || posix.dirname(dir) === dir) return 'commonjs'
  }
}

export function dirOf(fromFile: string): string {
  return fromFile.endsWith('/') ? fromFile : posix.dirname(fromFile)
}

function loadAsFile(fs: VolumeProbe, base: string): string | undefined {
  if (fs.isFile(base)) return base
  for (const extension of EXTENSIONS) if (fs.isFile(base + extension)) return base + extension
  return undefined
}

function loadAsDirectory(fs: VolumeProbe, dir: string, conditions: readonly string[]): string | undefined {
  if (!fs.isDirectory(dir)) return undefined
  const pkg = fs.readPackage(dir)
  const exported = pkg?.exports !== undefined ? resolveExports(pkg.exports, '.', conditions) : undefined
  if (exported && fs.isFile(posix.join(dir, exported))) return posix.join(dir, exported)
  if (typeof pkg?.main === 'string') {
    const main = posix.join(dir, pkg.main)
    const found = loadAsFile(fs, main) ?? loadIndex(fs, main)
    if (found) return found
  }
  return loadIndex(fs, dir)
}

function loadIndex(fs: VolumeProbe, dir: string): string | undefined {
  for (const extension of EXTENSIONS) if (fs.isFile(posix.join(dir, `index${extension}`))) return posix.join(dir, `index${extension}`)
  return undefined
}

function splitPackage(specifier: string): [string, string] {
  const parts = specifier.split('/')
  const nameLength = specifier.startsWith('@') ? 2 : 1
  const name = parts.slice(0, nameLength).join('/')
  const rest = parts.slice(nameLength).join('/')
  return [name, rest ? `./${rest}` : '.']
}

/** Resolves `package.json` `exports` for a subpath (`.` or `./x`) and condition list. */
export function resolveExports(exports: unknown, subpath: string, conditions: readonly string[]): string | undefined {
  const isSubpathMap = typeof exports === 'object' && exports !== null && !Array.isArray(exports) && Object.keys(exports).some((key) => key.startsWith('.'))
  if (!isSubpathMap) return subpath === '.' ? pickTarget(exports, conditions) : undefined
  const map = exports as Record<string, unknown>
  if (subpath in map) return pickTarget(map[subpath], conditions)
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*')
    if (star === -1) continue
    const prefix = key.slice(0, star)
    const suffix = key.slice(star + 1)
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      const match = subpath.slice(prefix.length, subpath.length - suffix.length)
      return pickTarget(value, conditions)?.replaceAll('*', match)
    }
  }
  return undefined
}

function pickTarget(target: unknown, conditions: readonly string[]): string | undefined {
  if (typeof target === 'string') return target
  if (Array.isArray(target)) {
    for (const item of target) {
      const found = pickTarget(item, conditions)
      if (found) return found
    }
    return undefined
  }
  if (typeof target === 'object' && target !== null) {
    for (const [condition, value] of Object.entries(target)) {
      if (condition === 'default' || conditions.includes(condition)) {
        const found = pickTarget(value, conditions)
        if (found) return found
      }
    }
  }
  return undefined
}

export interface PackageJson {
  main?: unknown
  exports?: unknown
  type?: unknown
}

/** A probe that asks memfs directly, without throwing for missing paths. */
export function probeVolume(fs: IFs): VolumeProbe {
  const stat = (path: string) => fs.statSync(path, { throwIfNoEntry: false, bigint: false } as never) as { isFile(): boolean; isDirectory(): boolean } | undefined
  return {
    isFile: (path) => stat(path)?.isFile() ?? false,
    isDirectory: (path) => stat(path)?.isDirectory() ?? false,
    readPackage(dir) {
      const file = posix.join(dir, 'package.json')
      if (!stat(file)?.isFile()) return undefined
      try {
        return JSON.parse(String(fs.readFileSync(file, 'utf8'))) as PackageJson
      } catch {
        return undefined
      }
    },
  }
}
