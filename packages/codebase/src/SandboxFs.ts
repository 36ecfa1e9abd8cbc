import { posix } from 'node:path'
import type { IFs } from 'memfs'

export type FsOperation = 'read' | 'write' | 'delete'

export interface SandboxFsOptions {
  maxMemfsSize: number
  maxFileCount: number
  readOnlyPaths: readonly string[]
  allowedOperations: readonly FsOperation[]
}

export interface FsErrorInfo {
  name: string
  code: string
  message: string
  syscall?: string
  path?: string
}

export type FsResult = { ok: unknown } | { error: FsErrorInfo }

export interface StatInfo {
  type: 'file' | 'directory' | 'symlink' | 'other'
  size: number
  mode: number
  atimeMs: number
  mtimeMs: number
  ctimeMs: number
  birthtimeMs: number
}

/**
 * The VM's view of the volume: every call is checked against the operation whitelist, the
 * read-only paths and the size and entry limits before it touches memfs. A refused call changes
 * nothing. Host writes through `getFs()` bypass it (the host is trusted) but mark the totals
 * stale, so they still count.
 */
export class SandboxFs {
  #usage: { bytes: number; entries: number } | undefined
  /** Bumped on every change to the volume, by the VM or (as far as we can tell) by the host. */
  generation = 0

  constructor(
    readonly fs: IFs,
    readonly options: SandboxFsOptions,
  ) {}

  /** Marks the cached totals stale (the host wrote to the volume). */
  invalidate(): void {
    this.#usage = undefined
    this.generation++
  }

  /** Bytes in files and entries (files, directories, symlinks) on the volume now. */
  usage(): { bytes: number; entries: number } {
    if (this.#usage) return this.#usage
    let bytes = 0
    let entries = 0
    const walk = (dir: string) => {
      for (const dirent of this.fs.readdirSync(dir, { withFileTypes: true }) as Array<{ name: string; isDirectory(): boolean; isFile(): boolean }>) {
        const full = posix.join(dir, String(dirent.name))
        entries++
        if (dirent.isDirectory()) walk(full)
        else if (dirent.isFile()) bytes += this.fs.lstatSync(full).size as number
      }
    }
    walk('/')
    this.#usage = { bytes, entries }
    return this.#usage
  }

  run(op: string, args: unknown[]): FsResult {
    try {
      return { ok: this.#dispatch(op, args) }
    } catch (error) {
      return { error: toErrorInfo(asCalled(error, op, args), op) }
    }
  }

  #dispatch(op: string, args: unknown[]): unknown {
    const fs = this.fs
    const path = (index: number) => toPath(args[index])
    // A trailing slash says "a directory" (Node keeps it; toPath's normalizing drops it).
    const slash = (index: number) => endsWithSlash(args[index])
    switch (op) {
      case 'readFile': {
        this.#allow('read', op)
        const data = fs.readFileSync(path(0)) as Uint8Array
        return args[1] ? new TextDecoder(String(args[1]) === 'latin1' ? 'latin1' : 'utf-8').decode(data) : new Uint8Array(data)
      }
      case 'writeFile':
      case 'appendFile': {
        const target = path(0)
        const { append, exclusive } = writeFlag(args[2], op === 'appendFile' ? 'a' : 'w')
        const lands = this.#checkWrite(target, op)
        const data = toBytes(args[1])
        if (slash(0)) throw errnoError('EISDIR', `illegal operation on a directory, open '${target}'`, 'open', target)
        if (exclusive && this.#exists(target)) throw errnoError('EEXIST', `file already exists, open '${target}'`, 'open', target)
        const old = this.#sizeOf(lands)
        const size = append ? (old ?? 0) + data.byteLength : data.byteLength
        this.#reserve(size - (old ?? 0), old === undefined ? 1 : 0)
        // At the real location: memfs cannot create an entry under a symlinked directory.
        if (append) fs.appendFileSync(lands, data)
        else fs.writeFileSync(lands, data)
        return this.#commit(size - (old ?? 0), old === undefined ? 1 : 0)
      }
      case 'mkdir': {
        const target = path(0)
        this.#allow('write', op, target)
        const recursive = Boolean(args[1])
        const missing = this.#missingDirs(target, recursive)
        for (const [lexical, real] of missing) this.#checkCreate(lexical, op, real)
        this.#reserve(0, missing.length)
        for (const [, real] of missing) fs.mkdirSync(real)
        this.#commit(0, missing.length)
        return recursive ? missing[0]?.[0] : undefined
      }
      case 'mkdtemp': {
        const prefix = toPath(args[0])
        const real = this.#realParent(prefix)
        this.#checkCreate(prefix, op, real)
        this.#reserve(0, 1)
        const made = String(fs.mkdtempSync(real))
        return this.#commit(0, 1, prefix + made.slice(real.length))
      }
      case 'readdir': {
        this.#allow('read', op)
        if (!args[1]) return (fs.readdirSync(path(0)) as unknown[]).map(String)
        return (fs.readdirSync(path(0), { withFileTypes: true }) as Array<{ name: unknown } & DirentLike>).map((d) => ({ name: String(d.name), type: direntType(d) }))
      }
      case 'stat':
      case 'lstat': {
        this.#allow('read', op)
        const stats = op === 'stat' ? fs.statSync(path(0)) : fs.lstatSync(path(0))
        return statInfo(stats as unknown as StatsLike)
      }
      case 'exists':
        this.#allow('read', op)
        return fs.existsSync(path(0))
      case 'access':
        this.#allow('read', op)
        fs.accessSync(path(0), typeof args[1] === 'number' ? args[1] : 0)
        return undefined
      case 'realpath':
        this.#allow('read', op)
        return String(fs.realpathSync(path(0)))
      case 'readlink':
        this.#allow('read', op)
        return String(fs.readlinkSync(path(0)))
      case 'unlink':
      case 'rmdir':
      case 'rm': {
        const target = path(0)
        this.#checkRemove(target, op)
        const options = (args[1] ?? {}) as { recursive?: boolean; force?: boolean }
        this.#remove(op, target, Boolean(options.recursive), Boolean(options.force), slash(0))
        this.invalidate()
        return undefined
      }
      case 'rename': {
        const from = path(0)
        const to = path(1)
        this.#checkRemove(from, op)
        this.#checkRemove(to, op, 'write')
        this.#rename(from, to, slash(0) || slash(1))
        this.invalidate()
        return undefined
      }
      case 'copyFile': {
        const from = path(0)
        const to = path(1)
        this.#allow('read', op)
        const lands = this.#checkWrite(to, op)
        if (slash(1)) throw errnoError('EISDIR', `illegal operation on a directory, copyfile '${from}' -> '${to}'`, op, to)
        // COPYFILE_EXCL (1): fail when the destination exists.
        if (typeof args[2] === 'number' && (args[2] & 1) === 1 && this.#exists(to)) throw errnoError('EEXIST', `file already exists, copyfile '${from}' -> '${to}'`, op, to)
        const size = fs.statSync(from).size as number
        const old = this.#sizeOf(lands)
        this.#reserve(size - (old ?? 0), old === undefined ? 1 : 0)
        fs.copyFileSync(from, lands)
        return this.#commit(size - (old ?? 0), old === undefined ? 1 : 0)
      }
      case 'symlink': {
        const target = toPath(args[0], false)
        const link = path(1)
        const real = this.#realParent(link)
        this.#checkCreate(link, op, real)
        if (slash(1)) throw errnoError('ENOENT', `no such file or directory, symlink '${target}' -> '${link}'`, op, link)
        this.#reserve(0, 1)
        fs.symlinkSync(target, real)
        return this.#commit(0, 1)
      }
      case 'truncate': {
        const target = path(0)
        const lands = this.#checkWrite(target, op)
        const length = typeof args[1] === 'number' && args[1] > 0 ? Math.floor(args[1]) : 0
        const old = this.#sizeOf(lands)
        if (old === undefined) throw errnoError('ENOENT', `no such file or directory, open '${target}'`, op, target)
        if (slash(0) && !this.fs.lstatSync(lands).isDirectory()) throw errnoError('ENOTDIR', `not a directory, open '${target}'`, 'open', target)
        this.#reserve(length - old, 0)
        fs.truncateSync(lands, length)
        return this.#commit(length - old, 0)
      }
      default:
        throw errnoError('ENOSYS', `fs.${op} is not available in the sandbox`, op)
    }
  }

  #allow(kind: FsOperation, op: string, path?: string): void {
    if (!this.options.allowedOperations.includes(kind)) {
      throw errnoError('EPERM', `operation not permitted, ${op}: ${kind} operations are not allowed in this sandbox`, op, path)
    }
  }

  /**
   * A write into the file at `path` (writeFile, appendFile, truncate, copyFile's destination):
   * like memfs, it goes through a symlink at `path`. Returns where the bytes land, which is what
   * the read-only roots and the limits are checked against.
   */
  #checkWrite(path: string, op: string): string {
    this.#allow('write', op, path)
    const lands = this.#followed(path)
    this.#refuseReadOnly([path, lands], op, path, false)
    return lands
  }

  /**
   * Creating the entry `path` itself (mkdir, mkdtemp, symlink; `real`: where it lands), never
   * through a link at `path`: refused under a read-only root, and on the way to one (a directory or
   * link where a root's path passes, or a link its resolution went through).
   */
  #checkCreate(path: string, op: string, real = this.#realParent(path)): void {
    this.#allow('write', op, path)
    this.#refuseReadOnly([path, real], op, path, true)
  }

  /**
   * Removing or replacing the entry `path` itself (unlink, rm, rmdir, both ends of rename): refused
   * when the entry is under a read-only root, and when a read-only root is under the entry (a
   * directory holding one, a symlink on the way to one).
   */
  #checkRemove(path: string, op: string, kind: FsOperation = 'delete'): void {
    this.#allow(kind, op, path)
    this.#refuseReadOnly([path, this.#realParent(path)], op, path, true)
  }

  /**
   * EROFS when an entry at `paths` is under a read-only root or, with `onTheWay` (creating or
   * removing the entry itself), holds a root or is a link a root resolves through.
   */
  #refuseReadOnly(paths: readonly string[], op: string, path: string, onTheWay: boolean): void {
    const roots = this.#roots()
    const links = onTheWay ? this.#rootLinks() : undefined
    for (const candidate of paths) {
      const refused = links?.has(candidate) || roots.some((root) => isUnder(candidate, root) || (onTheWay && isUnder(root, candidate)))
      if (refused) throw errnoError('EROFS', `read-only file system, ${op} '${path}'`, op, path)
    }
  }

  /** Every symlink the read-only roots resolve through (replacing one would swap what a root shows). */
  #rootLinks(): Set<string> {
    const links = new Set<string>()
    for (const root of this.options.readOnlyPaths) {
      let pending = posix.resolve('/', root).split('/').filter(Boolean)
      let current = '/'
      for (let hops = 0; pending.length > 0 && hops < MAX_LINK_HOPS * 8; hops++) {
        const next = posix.join(current, pending[0] as string)
        let target: string
        try {
          if (!this.fs.lstatSync(next).isSymbolicLink()) {
            current = next
            pending = pending.slice(1)
            continue
          }
          target = String(this.fs.readlinkSync(next))
        } catch {
          break // the rest does not exist: no link further on
        }
        links.add(next)
        pending = [...posix.resolve(current, target).split('/').filter(Boolean), ...pending.slice(1)]
        current = '/'
      }
    }
    return links
  }

  /** The read-only roots as given and, where they exist, with their symlinks resolved. */
  #roots(): string[] {
    const roots: string[] = []
    for (const root of this.options.readOnlyPaths) {
      const normalized = posix.resolve('/', root)
      roots.push(normalized)
      try {
        const real = String(this.fs.realpathSync(normalized))
        if (real !== normalized) roots.push(real)
      } catch {
        // Not on the volume (yet): nothing can link to it, the lexical root is checked.
      }
    }
    return roots
  }

  /** `path` with its existing ancestors' symlinks resolved, so a link cannot dodge a read-only root. */
  #realParent(path: string): string {
    let dir = posix.dirname(path)
    const rest = [posix.basename(path)]
    while (dir !== '/') {
      try {
        return posix.join(String(this.fs.realpathSync(dir)), ...rest)
      } catch {
        rest.unshift(posix.basename(dir))
        dir = posix.dirname(dir)
      }
    }
    return posix.join('/', ...rest)
  }

  /** Where a write to `path` lands: its symlinks followed, a dangling last link included. */
  #followed(path: string): string {
    let current = this.#realParent(path)
    for (let hops = 0; hops < MAX_LINK_HOPS; hops++) {
      let target: string
      try {
        if (!this.fs.lstatSync(current).isSymbolicLink()) return current
        target = String(this.fs.readlinkSync(current))
      } catch {
        return current // nothing there yet: the write creates it here
      }
      current = this.#realParent(posix.resolve(posix.dirname(current), target))
    }
    throw errnoError('ELOOP', `too many symbolic links encountered, open '${path}'`, 'open', path)
  }

  /**
   * unlink, rmdir and rm, as Node does them: on a symlink itself (never on what it points to), and
   * a directory tree entry by entry — memfs's own recursive removal moved the target of a link and
   * left removed files' bytes in memory, uncounted.
   */
  #remove(op: string, target: string, recursive: boolean, force: boolean, slash: boolean): void {
    const real = this.#realParent(target)
    let stats: { isDirectory(): boolean; isSymbolicLink(): boolean }
    try {
      stats = this.fs.lstatSync(real)
    } catch (error) {
      if (op === 'rm' && force && (error as { code?: unknown }).code === 'ENOENT') return
      throw error
    }
    // With a trailing slash the path names a directory (through a link, too): anything else is ENOTDIR.
    if (slash && (stats.isSymbolicLink() ? op === 'rmdir' || !this.#isDirectory(real) : !stats.isDirectory())) {
      throw errnoError('ENOTDIR', `not a directory, ${op} '${target}/'`, op, target)
    }
    if (op === 'unlink' || !stats.isDirectory()) {
      if (op === 'rmdir') throw errnoError('ENOTDIR', `not a directory, rmdir '${target}'`, op, target)
      if (op === 'unlink' && stats.isDirectory()) throw errnoError('EISDIR', `illegal operation on a directory, unlink '${target}'`, op, target)
      this.fs.unlinkSync(real)
      return
    }
    if (op === 'rm' && !recursive) {
      throw Object.assign(new Error(`Path is a directory: rm returned EISDIR (is a directory) ${target}`), { code: 'ERR_FS_EISDIR', syscall: 'rm', path: target })
    }
    if (recursive) for (const name of this.fs.readdirSync(real) as unknown[]) this.#removeTree(posix.join(real, String(name)))
    this.fs.rmdirSync(real)
  }

  #removeTree(path: string): void {
    if (this.fs.lstatSync(path).isDirectory()) {
      for (const name of this.fs.readdirSync(path) as unknown[]) this.#removeTree(posix.join(path, String(name)))
      this.fs.rmdirSync(path)
    } else {
      this.fs.unlinkSync(path)
    }
  }

  /**
   * rename as Node does it, on the entries' real locations: a symlink moves itself (memfs would move
   * what it points to); a directory cannot move into itself; what the destination held is removed
   * first (memfs would keep its bytes in memory, uncounted), and only after every check passed.
   */
  #rename(from: string, to: string, slash: boolean): void {
    const realFrom = this.#realParent(from)
    const realTo = this.#realParent(to)
    const source = this.fs.lstatSync(realFrom)
    const fail = (code: string, what: string) => errnoError(code, `${what}, rename '${from}' -> '${to}'`, 'rename', from)
    if (slash && !source.isDirectory()) throw fail('ENOTDIR', 'not a directory')
    if (realFrom === realTo) return
    if (source.isDirectory() && isUnder(realTo, realFrom)) throw fail('EINVAL', 'invalid argument')
    const parent = this.fs.lstatSync(posix.dirname(realTo))
    if (!parent.isDirectory()) throw fail('ENOTDIR', 'not a directory')
    let existing: { isDirectory(): boolean } | undefined
    try {
      existing = this.fs.lstatSync(realTo)
    } catch {
      existing = undefined
    }
    if (existing && source.isDirectory() && !existing.isDirectory()) throw fail('ENOTDIR', 'not a directory')
    if (existing && !source.isDirectory() && existing.isDirectory()) throw fail('EISDIR', 'illegal operation on a directory')
    if (existing?.isDirectory() && (this.fs.readdirSync(realTo) as unknown[]).length > 0) throw fail('ENOTEMPTY', 'directory not empty')
    const linkTarget = source.isSymbolicLink() ? String(this.fs.readlinkSync(realFrom)) : undefined
    if (existing?.isDirectory()) this.fs.rmdirSync(realTo)
    else if (existing) this.fs.unlinkSync(realTo)
    if (linkTarget === undefined) {
      this.fs.renameSync(realFrom, realTo)
    } else {
      this.fs.symlinkSync(linkTarget, realTo)
      this.fs.unlinkSync(realFrom)
    }
  }

  /** Whether an entry (a dangling symlink included) is at `path`. */
  #exists(path: string): boolean {
    try {
      this.fs.lstatSync(path)
      return true
    } catch {
      return false
    }
  }

  #isDirectory(path: string): boolean {
    try {
      return this.fs.statSync(path).isDirectory()
    } catch {
      return false
    }
  }

  #sizeOf(path: string): number | undefined {
    try {
      const stats = this.fs.lstatSync(path)
      return stats.isFile() ? (stats.size as number) : 0
    } catch {
      return undefined
    }
  }

  /**
   * The directories mkdir creates, as [path as the VM named it, real location], in order — or
   * Node's error: through a dangling link ENOENT, through a file ENOTDIR, onto an existing entry
   * EEXIST (mkdir -p: only when it is not a directory), a missing parent without -p ENOENT.
   */
  #missingDirs(path: string, recursive: boolean): Array<[string, string]> {
    const parts = path.split('/').filter(Boolean)
    const missing: Array<[string, string]> = []
    let real = '/'
    for (let index = 0; index < parts.length; index++) {
      const last = index === parts.length - 1
      const lexical = `/${parts.slice(0, index + 1).join('/')}`
      let next = posix.join(real, parts[index] as string)
      let stats: { isDirectory(): boolean; isSymbolicLink(): boolean } | undefined
      try {
        stats = missing.length > 0 ? undefined : this.fs.lstatSync(next)
      } catch {
        stats = undefined
      }
      if (stats === undefined) {
        if (!recursive && !last) throw errnoError('ENOENT', `no such file or directory, mkdir '${path}'`, 'mkdir', path)
        missing.push([lexical, next])
        real = next
        continue
      }
      if (stats.isSymbolicLink()) {
        if (last && !recursive) throw errnoError('EEXIST', `file already exists, mkdir '${path}'`, 'mkdir', path)
        try {
          next = String(this.fs.realpathSync(next))
          stats = this.fs.statSync(next)
        } catch {
          throw errnoError('ENOENT', `no such file or directory, mkdir '${path}'`, 'mkdir', path)
        }
      }
      if (!stats.isDirectory()) throw errnoError(last ? 'EEXIST' : 'ENOTDIR', `${last ? 'file already exists' : 'not a directory'}, mkdir '${path}'`, 'mkdir', path)
      if (last && !recursive) throw errnoError('EEXIST', `file already exists, mkdir '${path}'`, 'mkdir', path)
      real = next
    }
    return missing
  }

  #reserve(bytes: number, entries: number): void {
    const usage = this.usage()
    if (usage.bytes + bytes > this.options.maxMemfsSize) {
      throw limitError('maxMemfsSize', this.options.maxMemfsSize, `writing would bring the volume to ${usage.bytes + bytes} bytes`)
    }
    if (usage.entries + entries > this.options.maxFileCount) {
      throw limitError('maxFileCount', this.options.maxFileCount, `the volume already holds ${usage.entries} entries`)
    }
  }

  #commit<T>(bytes: number, entries: number, result?: T): T | undefined {
    this.generation++
    if (this.#usage) this.#usage = { bytes: this.#usage.bytes + bytes, entries: this.#usage.entries + entries }
    return result
  }
}

interface DirentLike {
  isFile(): boolean
  isDirectory(): boolean
  isSymbolicLink(): boolean
}

interface StatsLike extends DirentLike {
  size: number | bigint
  mode: number | bigint
  atimeMs: number | bigint
  mtimeMs: number | bigint
  ctimeMs: number | bigint
  birthtimeMs: number | bigint
}

function direntType(d: DirentLike): StatInfo['type'] {
  return d.isSymbolicLink() ? 'symlink' : d.isDirectory() ? 'directory' : d.isFile() ? 'file' : 'other'
}

function statInfo(stats: StatsLike): StatInfo {
  return {
    type: direntType(stats),
    size: Number(stats.size),
    mode: Number(stats.mode),
    atimeMs: Number(stats.atimeMs),
    mtimeMs: Number(stats.mtimeMs),
    ctimeMs: Number(stats.ctimeMs),
    birthtimeMs: Number(stats.birthtimeMs),
  }
}

/** Absolute, normalized volume path; `..` cannot climb above `/`. */
export function toPath(value: unknown, resolve = true): string {
  let path: string
  if (typeof value === 'string') path = value
  else if (value instanceof Uint8Array) path = new TextDecoder().decode(value)
  else throw Object.assign(new TypeError(`The "path" argument must be of type string. Received ${value === null ? 'null' : typeof value}`), { code: 'ERR_INVALID_ARG_TYPE' })
  if (path.startsWith('file://')) path = decodeURIComponent(path.slice('file://'.length))
  if (path.includes('\0')) throw Object.assign(new TypeError('The "path" argument must not contain null bytes'), { code: 'ERR_INVALID_ARG_VALUE' })
  // Linux's limits: a name of 255 bytes, a path of 4096, a link's target of 4095 (names are not
  // counted against maxMemfsSize, so they must stay small).
  const tooLong = Buffer.byteLength(path) > (resolve ? 4096 : 4095) || path.split('/').some((name) => Buffer.byteLength(name) > 255)
  if (tooLong) throw errnoError('ENAMETOOLONG', `name too long, '${path.length > 64 ? `${path.slice(0, 64)}…` : path}'`, 'open')
  return resolve ? posix.resolve('/', path) : path
}

/** Whether the path as the VM wrote it ends with a slash (other than the root itself). */
function endsWithSlash(value: unknown): boolean {
  return typeof value === 'string' && value.length > 1 && value.endsWith('/') && value.replace(/\/+$/, '') !== ''
}

/**
 * A memfs error names the resolved path of its own call (`lstat '/real/x'`): Node names the call
 * and the paths the VM gave. Errors made here already do.
 */
function asCalled(error: unknown, op: string, args: unknown[]): unknown {
  const e = error as { code?: unknown; message?: unknown; syscall?: unknown; path?: unknown }
  if (typeof e?.code !== 'string' || typeof e.message !== 'string' || !/^E[A-Z]+: /.test(e.message) || e.syscall === op) return error
  const what = /^E[A-Z]+: ([^,]*)/.exec(e.message)?.[1] ?? e.code
  const paths = [args[0], op === 'rename' || op === 'copyFile' ? args[1] : undefined].filter((p): p is string => typeof p === 'string')
  const named = paths.map((p) => `'${p}'`).join(' -> ')
  return Object.assign(new Error(`${e.code}: ${what}, ${op}${named ? ` ${named}` : ''}`), { code: e.code, syscall: op, path: paths[0] })
}

/** Symlinks followed before a path counts as a loop (Linux's limit). */
const MAX_LINK_HOPS = 40

export function isUnder(path: string, root: string): boolean {
  const normalized = posix.resolve('/', root)
  return normalized === '/' || path === normalized || path.startsWith(`${normalized}/`)
}

/** The open flags of the VM's `fs.constants` (Linux's values, whatever the host runs on). */
export const OPEN = { O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 64, O_EXCL: 128, O_TRUNC: 512, O_APPEND: 1024, O_SYNC: 1052672 } as const

/** Node's string flags for writing a whole file: [append, exclusive]. */
const WRITE_FLAGS: Record<string, readonly [boolean, boolean]> = {
  w: [false, false],
  'w+': [false, false],
  wx: [false, true],
  xw: [false, true],
  'wx+': [false, true],
  'xw+': [false, true],
  a: [true, false],
  'a+': [true, false],
  as: [true, false],
  sa: [true, false],
  'as+': [true, false],
  'sa+': [true, false],
  ax: [true, true],
  xa: [true, true],
  'ax+': [true, true],
  'xa+': [true, true],
}

/** The numbers Node turns those strings into (so a numeric flag means exactly what its string does). */
const NUMERIC_FLAGS: Record<number, string> = (() => {
  const { O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_SYNC } = OPEN
  const write = O_TRUNC | O_CREAT
  const append = O_APPEND | O_CREAT
  return {
    [write | O_WRONLY]: 'w',
    [write | O_RDWR]: 'w+',
    [write | O_WRONLY | O_EXCL]: 'wx',
    [write | O_RDWR | O_EXCL]: 'wx+',
    [append | O_WRONLY]: 'a',
    [append | O_RDWR]: 'a+',
    [append | O_WRONLY | O_EXCL]: 'ax',
    [append | O_RDWR | O_EXCL]: 'ax+',
    [append | O_WRONLY | O_SYNC]: 'as',
    [append | O_RDWR | O_SYNC]: 'as+',
  }
})()

/**
 * writeFile's and appendFile's `flag`: Node's write and append flags, as strings or as the
 * numbers Node makes of them (from the VM's `fs.constants`). Read flags (`r`, `r+`) and other
 * numbers are refused: the sandbox writes whole files or appends.
 */
function writeFlag(flag: unknown, fallback: 'a' | 'w'): { append: boolean; exclusive: boolean } {
  const value = flag === undefined ? fallback : typeof flag === 'number' ? (NUMERIC_FLAGS[flag] ?? String(flag)) : String(flag)
  const known = Object.hasOwn(WRITE_FLAGS, value) ? WRITE_FLAGS[value] : undefined
  if (!known) {
    throw Object.assign(new TypeError(`The argument 'flag' must be a write or append flag ('w', 'wx', 'w+', 'a', 'ax', 'as', 'a+', … or the number Node makes of one) in the sandbox. Received ${typeof flag === 'number' ? flag : `'${value}'`}`), {
      code: 'ERR_INVALID_ARG_VALUE',
    })
  }
  return { append: known[0], exclusive: known[1] }
}

function toBytes(data: unknown): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data)
  if (data instanceof Uint8Array) return data
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  throw Object.assign(new TypeError(`The "data" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received ${typeof data}`), {
    code: 'ERR_INVALID_ARG_TYPE',
  })
}

function errnoError(code: string, message: string, syscall: string, path?: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code, syscall, path })
}

function limitError(limit: string, value: number, detail: string): Error {
  return Object.assign(new Error(`${limit} (${value}) reached: ${detail}. Delete files the VM no longer needs or raise ${limit}.`), {
    name: 'VMLimitExceededError',
    code: 'VM_ERR_LIMIT_EXCEEDED',
  })
}

function toErrorInfo(error: unknown, op: string): FsErrorInfo {
  const e = error as { name?: unknown; code?: unknown; message?: unknown; syscall?: unknown; path?: unknown }
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    code: typeof e?.code === 'string' ? e.code : 'EIO',
    message: typeof e?.message === 'string' ? e.message : String(error),
    syscall: typeof e?.syscall === 'string' ? e.syscall : op,
    path: typeof e?.path === 'string' ? e.path : undefined,
  }
}
