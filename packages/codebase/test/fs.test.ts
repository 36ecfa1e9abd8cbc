import { VMCodeBaseLibrary, type VMCodeBaseModulesLibraryOptions } from '@vm-machine/codebase'
import { createTestVM } from '@vm-machine/test-utils'
import { describe, expect, it } from 'vitest'

async function setup(options: VMCodeBaseModulesLibraryOptions = {}) {
  const codebase = new VMCodeBaseLibrary(options)
  const vm = await createTestVM([codebase])
  return { codebase, fs: codebase.getFs(), vm }
}

describe('fs in the VM', () => {
  it('offers sync, callback and promise forms over the volume', async () => {
    const { vm, fs } = await setup()
    const result = await vm.run(`
      const fs = require('fs')
      fs.mkdirSync('/data/nested', { recursive: true })
      fs.writeFileSync('/data/a.txt', 'hello')
      fs.appendFileSync('/data/a.txt', ' world')
      await fs.promises.writeFile('/data/b.txt', 'promised')
      const viaCallback = await new Promise((resolve, reject) => fs.readFile('/data/b.txt', 'utf8', (err, data) => (err ? reject(err) : resolve(data))))
      const exists = await new Promise((resolve) => fs.exists('/data/a.txt', resolve))
      return {
        sync: fs.readFileSync('/data/a.txt', 'utf8'),
        promise: await require('fs/promises').readFile('/data/a.txt', { encoding: 'utf8' }),
        viaCallback,
        exists,
        list: fs.readdirSync('/data').sort(),
        types: fs.readdirSync('/data', { withFileTypes: true }).map((d) => [d.name, d.isDirectory(), d.isFile()]).sort(),
      }`)
    expect(result).toEqual({
      sync: 'hello world',
      promise: 'hello world',
      viaCallback: 'promised',
      exists: true,
      list: ['a.txt', 'b.txt', 'nested'],
      types: [['a.txt', false, true], ['b.txt', false, true], ['nested', true, false]],
    })
    expect(fs.readFileSync('/data/a.txt', 'utf8')).toBe('hello world')
  })

  it('honours the flag of writeFile and appendFile, and COPYFILE_EXCL', async () => {
    const { vm } = await setup()
    expect(await vm.run(`
      const fs = require('fs')
      const out = []
      const attempt = (f) => { try { f(); return 'ok' } catch (e) { return e.code } }
      fs.writeFileSync('/log', 'a')
      fs.writeFileSync('/log', 'b', { flag: 'a' })
      await fs.promises.writeFile('/log', 'c', { flag: 'a+' })
      out.push(fs.readFileSync('/log', 'utf8'))
      out.push(attempt(() => fs.writeFileSync('/log', 'x', { flag: 'wx' })), fs.readFileSync('/log', 'utf8'))
      out.push(attempt(() => fs.writeFileSync('/lock', 'mine', { flag: 'wx' })), fs.readFileSync('/lock', 'utf8'))
      out.push(attempt(() => fs.appendFileSync('/lock', 'again', { flag: 'ax' })))
      fs.appendFileSync('/log', 'd', { encoding: 'utf8', flag: 'w' })
      out.push(fs.readFileSync('/log', 'utf8'))
      out.push(attempt(() => fs.writeFileSync('/log', 'x', { flag: 'r+' })), attempt(() => fs.writeFileSync('/log', 'x', { flag: 'ws' })))
      fs.writeFileSync('/log', 'e', { flag: 'sa' })
      fs.writeFileSync('/log', 'f', { flag: fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT })
      out.push(fs.readFileSync('/log', 'utf8'))
      out.push(attempt(() => fs.copyFileSync('/log', '/lock', fs.constants.COPYFILE_EXCL)), fs.readFileSync('/lock', 'utf8'))
      fs.copyFileSync('/log', '/lock')
      out.push(fs.readFileSync('/lock', 'utf8'))
      return out`)).toEqual(['abc', 'EEXIST', 'abc', 'ok', 'mine', 'EEXIST', 'd', 'ERR_INVALID_ARG_VALUE', 'ERR_INVALID_ARG_VALUE', 'def', 'EEXIST', 'mine', 'def'])
  })

  it('reads and writes byte arrays', async () => {
    const { vm, fs } = await setup()
    fs.writeFileSync('/bin.dat', new Uint8Array([1, 2, 3]))
    expect(await vm.run(`
      const fs = require('fs')
      const bytes = fs.readFileSync('/bin.dat')
      fs.writeFileSync('/out.dat', new Uint8Array([...bytes, 4]))
      return [bytes instanceof Uint8Array, Array.from(bytes)]`)).toEqual([true, [1, 2, 3]])
    expect(Array.from(fs.readFileSync('/out.dat') as Uint8Array)).toEqual([1, 2, 3, 4])
  })

  it('implements stat, lstat, access, rename, copyFile, rm, rmdir, unlink, realpath, symlink, readlink, truncate, mkdtemp', async () => {
    const { vm } = await setup()
    const result = await vm.run(`
      const fs = require('fs')
      fs.writeFileSync('/f.txt', '12345')
      const stat = fs.statSync('/f.txt')
      fs.symlinkSync('/f.txt', '/link')
      fs.renameSync('/f.txt', '/g.txt')
      fs.copyFileSync('/g.txt', '/h.txt')
      fs.truncateSync('/h.txt', 2)
      fs.mkdirSync('/dir/sub', { recursive: true })
      fs.writeFileSync('/dir/sub/x', 'x')
      const temp = fs.mkdtempSync('/tmp-')
      fs.rmSync('/dir', { recursive: true })
      fs.unlinkSync('/g.txt')
      fs.rmdirSync(temp)
      let accessError
      try { fs.accessSync('/g.txt') } catch (e) { accessError = e.code }
      return {
        size: stat.size, isFile: stat.isFile(), mtime: stat.mtime instanceof Date,
        link: [fs.lstatSync('/link').isSymbolicLink(), fs.readlinkSync('/link')],
        truncated: fs.readFileSync('/h.txt', 'utf8'),
        realpath: fs.realpathSync('/h.txt'),
        dirGone: fs.existsSync('/dir'), tempGone: fs.existsSync(temp), tempPrefix: temp.startsWith('/tmp-'),
        accessError,
        statMissing: fs.statSync('/nope', { throwIfNoEntry: false }),
      }`)
    expect(result).toEqual({
      size: 5,
      isFile: true,
      mtime: true,
      link: [true, '/f.txt'],
      truncated: '12',
      realpath: '/h.txt',
      dirGone: false,
      tempGone: false,
      tempPrefix: true,
      accessError: 'ENOENT',
      statMissing: undefined,
    })
  })

  it('renames and removes as Node does: no move into itself, no silent replacement of a directory', async () => {
    const { vm, fs } = await setup({ maxMemfsSize: 2000 })
    expect(await vm.run(`
      const fs = require('fs')
      const attempt = (f) => { try { f(); return 'ok' } catch (e) { return e.code } }
      fs.mkdirSync('/d/sub', { recursive: true })
      fs.writeFileSync('/d/f', 'x'.repeat(900))
      fs.mkdirSync('/full'); fs.writeFileSync('/full/x', '1')
      fs.mkdirSync('/empty')
      fs.writeFileSync('/file', '2')
      return [
        attempt(() => fs.renameSync('/d', '/d/sub/x')),
        attempt(() => fs.renameSync('/d', '/full')),
        attempt(() => fs.renameSync('/file', '/empty')),
        attempt(() => fs.renameSync('/d', '/file')),
        attempt(() => fs.renameSync('/d', '/empty')),
        fs.readdirSync('/empty').sort(),
        attempt(() => fs.rmSync('/full')),
        attempt(() => fs.unlinkSync('/full')),
        attempt(() => fs.rmdirSync('/full')),
        attempt(() => fs.rmSync('/missing')),
        attempt(() => fs.rmSync('/missing', { force: true })),
        attempt(() => fs.rmSync('/full', { recursive: true })),
        // The 900 bytes removed with /empty's old contents are free again.
        attempt(() => fs.writeFileSync('/big', 'y'.repeat(1000))),
        fs.readdirSync('/').sort(),
      ]`)).toEqual(['EINVAL', 'ENOTEMPTY', 'EISDIR', 'ENOTDIR', 'ok', ['f', 'sub'], 'ERR_FS_EISDIR', 'EISDIR', 'ENOTEMPTY', 'ENOENT', 'ok', 'ok', 'ok', ['big', 'empty', 'file']])
    expect(fs.readFileSync('/empty/f', 'utf8')).toHaveLength(900)
  })

  it('follows Linux on names, trailing slashes, mkdir through links and rm --force, naming the paths the VM gave', async () => {
    const { vm } = await setup({ maxMemfsSize: 1024 })
    expect(await vm.run(`
      const fs = require('fs')
      const attempt = (f) => { try { f(); return 'ok' } catch (e) { return e.code } }
      fs.mkdirSync('/d'); fs.writeFileSync('/d/f', 'x')
      fs.symlinkSync('/nope', '/dang'); fs.symlinkSync('/d/f', '/lf'); fs.symlinkSync('/d', '/ld')
      let message
      try { fs.unlinkSync('/ld/missing') } catch (e) { message = e.message }
      return [
        attempt(() => fs.symlinkSync('/x'.repeat(3000), '/long')),
        attempt(() => fs.writeFileSync('/' + 'n'.repeat(256), '')),
        attempt(() => fs.writeFileSync('/d/f/', 'y')),
        attempt(() => fs.unlinkSync('/d/f/')),
        attempt(() => fs.renameSync('/d/f/', '/z')),
        attempt(() => fs.rmSync('/d/f/x', { force: true })),
        attempt(() => fs.rmSync('/d/missing', { force: true })),
        attempt(() => fs.mkdirSync('/dang/x', { recursive: true })),
        attempt(() => fs.mkdirSync('/lf', { recursive: true })),
        attempt(() => fs.mkdirSync('/lf/x', { recursive: true })),
        attempt(() => fs.mkdirSync('/ld/x/y', { recursive: true })),
        fs.existsSync('/d/x/y'), fs.lstatSync('/dang').isSymbolicLink(),
        message,
      ]`)).toEqual(['ENAMETOOLONG', 'ENAMETOOLONG', 'EISDIR', 'ENOTDIR', 'ENOTDIR', 'ENOTDIR', 'ok', 'ENOENT', 'EEXIST', 'ENOTDIR', 'ok', true, true, "ENOENT: no such file or directory, unlink '/ld/missing'"])
  })

  it('reports Node-style errors (code, syscall, path) in all three forms', async () => {
    const { vm } = await setup()
    expect(await vm.run(`
      const fs = require('fs')
      const out = []
      try { fs.readFileSync('/missing') } catch (e) { out.push([e.code, e instanceof Error]) }
      await fs.promises.readFile('/missing').catch((e) => out.push(e.code))
      await new Promise((resolve) => fs.readFile('/missing', (e) => { out.push(e.code); resolve() }))
      try { fs.readdirSync('/missing-dir') } catch (e) { out.push(e.code) }
      return out`)).toEqual([['ENOENT', true], 'ENOENT', 'ENOENT', 'ENOENT'])
  })

  it('keeps paths inside the volume: .. cannot climb above / and the host filesystem is never reached', async () => {
    const { vm, fs } = await setup()
    fs.writeFileSync('/inside.txt', 'inside')
    expect(await vm.run(`
      const fs = require('fs')
      const out = [fs.readFileSync('/../../../inside.txt', 'utf8'), fs.readFileSync('../../inside.txt', 'utf8')]
      for (const host of ['/etc/passwd', '/proc/self/environ', '../../../../etc/hostname']) {
        try { fs.readFileSync(host); out.push('read ' + host) } catch (e) { out.push(e.code) }
      }
      return out`)).toEqual(['inside', 'inside', 'ENOENT', 'ENOENT', 'ENOENT'])
  })
})

describe('volume limits', () => {
  it('refuses a VM write past maxMemfsSize with a typed limit error and changes nothing', async () => {
    const { vm, fs } = await setup({ maxMemfsSize: 1000 })
    const result = await vm.run(`
      const fs = require('fs')
      fs.writeFileSync('/a', 'x'.repeat(600))
      let error
      try { fs.writeFileSync('/b', 'y'.repeat(600)) } catch (e) { error = [e.name, e.code] }
      let appendError
      try { fs.appendFileSync('/a', 'z'.repeat(500)) } catch (e) { appendError = e.code }
      fs.writeFileSync('/a', 'x'.repeat(900))
      return [error, appendError, fs.existsSync('/b')]`)
    expect(result).toEqual([['VMLimitExceededError', 'VM_ERR_LIMIT_EXCEEDED'], 'VM_ERR_LIMIT_EXCEEDED', false])
    expect(String(fs.readFileSync('/a', 'utf8')).length).toBe(900)
  })

  it('counts every entry (files, directories, symlinks) against maxFileCount', async () => {
    const { vm } = await setup({ maxFileCount: 3 })
    expect(await vm.run(`
      const fs = require('fs')
      fs.mkdirSync('/d')
      fs.writeFileSync('/d/f', '1')
      fs.symlinkSync('/d/f', '/l')
      const out = []
      try { fs.writeFileSync('/g', '2') } catch (e) { out.push(e.code) }
      try { fs.mkdirSync('/e/f', { recursive: true }) } catch (e) { out.push(e.code) }
      fs.unlinkSync('/l')
      fs.writeFileSync('/g', '2')
      out.push(fs.readdirSync('/').sort())
      return out`)).toEqual(['VM_ERR_LIMIT_EXCEEDED', 'VM_ERR_LIMIT_EXCEEDED', ['d', 'g']])
  })

  it('counts a file written through a dangling symlink as a new entry', async () => {
    const { vm, fs } = await setup({ maxFileCount: 10 })
    expect(await vm.run(`
      const fs = require('fs')
      let made = 0
      try { for (; made < 100; made++) { fs.symlinkSync('/t' + made, '/l' + made); fs.writeFileSync('/l' + made, 'x') } } catch (e) { return [made, e.code] }
      return [made]`)).toEqual([5, 'VM_ERR_LIMIT_EXCEEDED'])
    expect(fs.readdirSync('/').length).toBe(10)
  })

  it('lets the host write past the limits but counts its files', async () => {
    const { vm, fs } = await setup({ maxMemfsSize: 100 })
    fs.writeFileSync('/host-big.txt', 'h'.repeat(150))
    expect(await vm.run(`try { require('fs').writeFileSync('/one', '1') } catch (e) { return e.code }`)).toBe('VM_ERR_LIMIT_EXCEEDED')
    await fs.promises.unlink('/host-big.txt')
    expect(await vm.run(`require('fs').writeFileSync('/one', '1'); return 'ok'`)).toBe('ok')
  })

  it('defaults to 10 MB and 1000 entries', async () => {
    const { vm } = await setup()
    expect(await vm.run(`
      const fs = require('fs')
      const out = []
      try { fs.writeFileSync('/big', 'x'.repeat(10 * 1024 * 1024 + 1)) } catch (e) { out.push(e.code) }
      fs.writeFileSync('/fits', 'x'.repeat(10 * 1024 * 1024))
      fs.unlinkSync('/fits')
      let made = 0
      try { for (;;) { fs.writeFileSync('/f' + made, ''); made++ } } catch (e) { out.push(e.code, made) }
      return out`)).toEqual(['VM_ERR_LIMIT_EXCEEDED', 'VM_ERR_LIMIT_EXCEEDED', 1000])
  })
})

describe('access control', () => {
  it('fails VM writes, renames and deletes under readOnlyPaths with EROFS, symlinks included', async () => {
    const { vm, fs } = await setup({ readOnlyPaths: ['/core'] })
    fs.mkdirSync('/core')
    fs.writeFileSync('/core/app.js', 'original')
    fs.symlinkSync('/core', '/alias')
    expect(await vm.run(`
      const fs = require('fs')
      const out = []
      for (const attempt of [
        () => fs.writeFileSync('/core/app.js', 'hacked'),
        () => fs.writeFileSync('/core/new.js', 'x'),
        () => fs.unlinkSync('/core/app.js'),
        () => fs.renameSync('/core/app.js', '/stolen.js'),
        () => fs.writeFileSync('/alias/app.js', 'via link'),
        () => fs.rmSync('/core', { recursive: true }),
      ]) {
        try { attempt(); out.push('allowed') } catch (e) { out.push(e.code) }
      }
      fs.writeFileSync('/coredump', 'sibling is writable')
      out.push(fs.readFileSync('/core/app.js', 'utf8'))
      return out`)).toEqual(['EROFS', 'EROFS', 'EROFS', 'EROFS', 'EROFS', 'EROFS', 'original'])
  })

  it('follows symlinks and guards ancestors: no write, delete or rename reaches a read-only root', async () => {
    const attacks = {
      'write through a link to a file': `fs.symlinkSync('/data/core/app.js', '/l'); fs.writeFileSync('/l', 'hacked')`,
      'append through a link to a file': `fs.symlinkSync('/data/core/app.js', '/l'); fs.appendFileSync('/l', '+x')`,
      'truncate through a link to a file': `fs.symlinkSync('/data/core/app.js', '/l'); fs.truncateSync('/l', 0)`,
      'copyFile onto a link': `fs.writeFileSync('/e', 'evil'); fs.symlinkSync('/data/core/app.js', '/l'); fs.copyFileSync('/e', '/l')`,
      'write through a chain of links': `fs.symlinkSync('/data/core/app.js', '/l1'); fs.symlinkSync('/l1', '/l2'); fs.writeFileSync('/l2', 'hacked')`,
      'a new file through a dangling link': `fs.symlinkSync('/data/core/new.js', '/l'); fs.writeFileSync('/l', 'planted')`,
      'rm -r of an ancestor': `fs.rmSync('/data', { recursive: true })`,
      'rename of an ancestor': `fs.renameSync('/data', '/moved'); fs.writeFileSync('/moved/core/app.js', 'hacked')`,
      'rename over an ancestor': `fs.mkdirSync('/empty'); fs.renameSync('/empty', '/data')`,
      'rm -r through a link to the parent of the root': `fs.symlinkSync('/data', '/alias'); fs.rmSync('/alias/core', { recursive: true })`,
    }
    for (const [name, attack] of Object.entries(attacks)) {
      const { vm, fs } = await setup({ readOnlyPaths: ['/data/core'] })
      fs.mkdirSync('/data/core', { recursive: true })
      fs.writeFileSync('/data/core/app.js', 'original')
      const code = await vm.run(`const fs = require('fs'); try { ${attack}; return 'allowed' } catch (e) { return e.code }`)
      expect([name, code]).toEqual([name, 'EROFS'])
      expect([name, fs.readdirSync('/data/core')]).toEqual([name, ['app.js']])
      expect(fs.readFileSync('/data/core/app.js', 'utf8')).toBe('original')
    }
  })

  it('guards the links a read-only root resolves through and the places where a missing root would appear', async () => {
    const { vm, fs } = await setup({ readOnlyPaths: ['/ro', '/future/config'] })
    fs.mkdirSync('/real')
    fs.writeFileSync('/real/cfg', 'good')
    fs.symlinkSync('/real', '/m')
    fs.symlinkSync('/m', '/ro')
    expect(await vm.run(`
      const fs = require('fs')
      const attempt = (f) => { try { f(); return 'ok' } catch (e) { return e.code } }
      fs.mkdirSync('/w'); fs.writeFileSync('/w/cfg', 'evil')
      return [
        attempt(() => fs.unlinkSync('/m')),
        attempt(() => fs.renameSync('/w', '/m')),
        attempt(() => fs.rmSync('/m')),
        attempt(() => fs.symlinkSync('/w', '/future')),
        attempt(() => fs.mkdirSync('/future/config', { recursive: true })),
        attempt(() => fs.renameSync('/w', '/future')),
        attempt(() => fs.mkdirSync('/elsewhere/deep', { recursive: true })),
      ]`)).toEqual(['EROFS', 'EROFS', 'EROFS', 'EROFS', 'EROFS', 'EROFS', 'ok'])
    expect(fs.readFileSync('/ro/cfg', 'utf8')).toBe('good')
    expect(fs.existsSync('/future')).toBe(false)
  })

  it('lets the VM rename and remove its own links to read-only files, leaving the files alone', async () => {
    const { vm, fs } = await setup({ readOnlyPaths: ['/core'] })
    fs.mkdirSync('/core/lib', { recursive: true })
    fs.writeFileSync('/core/lib/a.js', 'original')
    expect(await vm.run(`
      const fs = require('fs')
      fs.symlinkSync('/core/lib/a.js', '/a')
      fs.symlinkSync('/core/lib', '/lib')
      const read = fs.readFileSync('/a', 'utf8') + ' ' + fs.readFileSync('/lib/a.js', 'utf8')
      fs.renameSync('/a', '/b')
      fs.renameSync('/lib', '/lib1')
      const moved = [fs.readlinkSync('/b'), fs.readlinkSync('/lib1')]
      fs.unlinkSync('/b')
      fs.rmSync('/lib1', { recursive: true })
      let rmdir
      fs.symlinkSync('/core/lib', '/lib2')
      try { fs.rmdirSync('/lib2') } catch (e) { rmdir = e.code }
      return [read, moved, fs.readdirSync('/').sort(), rmdir]`)).toEqual(['original original', ['/core/lib/a.js', '/core/lib'], ['core', 'lib2'], 'ENOTDIR'])
    expect(fs.readdirSync('/core/lib')).toEqual(['a.js'])
    expect(fs.readFileSync('/core/lib/a.js', 'utf8')).toBe('original')
  })

  it('restricts what the VM may do with allowedOperations', async () => {
    const { vm, fs } = await setup({ allowedOperations: ['read'] })
    fs.writeFileSync('/r.txt', 'readable')
    expect(await vm.run(`
      const fs = require('fs')
      const out = [fs.readFileSync('/r.txt', 'utf8')]
      try { fs.writeFileSync('/w.txt', 'x') } catch (e) { out.push(e.code) }
      try { fs.unlinkSync('/r.txt') } catch (e) { out.push(e.code) }
      return out`)).toEqual(['readable', 'EPERM', 'EPERM'])
    const deleteOnly = await setup({ allowedOperations: ['read', 'delete'] })
    deleteOnly.fs.writeFileSync('/d.txt', 'x')
    expect(await deleteOnly.vm.run(`const fs = require('fs'); fs.unlinkSync('/d.txt'); try { fs.writeFileSync('/n', '') } catch (e) { return e.code }`)).toBe('EPERM')
  })
})

describe('getFs()', () => {
  it('works before the VM exists and exposes the full memfs API', async () => {
    const codebase = new VMCodeBaseLibrary()
    const fs = codebase.getFs()
    await fs.promises.mkdir('/early', { recursive: true })
    fs.writeFileSync('/early/file.txt', 'before init')
    expect(typeof fs.watch).toBe('function')
    const vm = await createTestVM([codebase])
    expect(await vm.run(`return require('fs').readFileSync('/early/file.txt', 'utf8')`)).toBe('before init')
  })
})
