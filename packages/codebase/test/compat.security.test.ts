import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMIpcLibrary } from '@vm-machine/ipc'
import { createTestVM } from '@vm-machine/test-utils'
import { describe, expect, it } from 'vitest'

describe('the Node compatibility layer leaks nothing of the host', () => {
  it('process shows none of the host process: env keys, pid, cwd, argv, execPath, versions', async () => {
    process.env.VMM_HOST_SECRET = 'host-only'
    try {
      const vm = await createTestVM([new VMCodeBaseLibrary({ env: { ONLY: 'this' } })])
      const seen = (await vm.run(`
        const p = require('node:process')
        return { env: Object.keys(p.env), keys: Object.keys(p), pid: p.pid, ppid: p.ppid, execPath: p.execPath, cwd: p.cwd(), argv: p.argv, execArgv: p.execArgv,
          versions: p.versions, binding: typeof p.binding, dlopen: typeof p.dlopen, mainModule: p.mainModule, json: JSON.stringify(p, (k, v) => (typeof v === 'function' ? undefined : v)) }`)) as Record<string, unknown>
      expect(seen.env).toEqual(['ONLY'])
      expect([seen.pid, seen.ppid, seen.execPath, seen.cwd, seen.argv, seen.execArgv, seen.binding, seen.dlopen, seen.mainModule]).toEqual([undefined, undefined, undefined, '/', [], [], 'undefined', 'undefined', undefined])
      expect(seen.versions).toEqual({ node: '20.0.0' })
      for (const hostValue of [process.cwd(), process.execPath, String(process.pid), 'host-only', process.versions.v8, ...process.argv]) expect(seen.json).not.toContain(hostValue)
    } finally {
      delete process.env.VMM_HOST_SECRET
    }
  })

  it('a VM changing process.env changes neither the host, the option object, nor another VM', async () => {
    const env = { SHARED: 'a' }
    const first = await createTestVM([new VMCodeBaseLibrary({ env })])
    const second = await createTestVM([new VMCodeBaseLibrary({ env })])
    await first.run('process.env.SHARED = "changed"; process.env.PATH = "/evil"; process.env.VMM_INJECTED = "1"')
    expect([env, process.env.VMM_INJECTED, process.env.PATH === '/evil']).toEqual([{ SHARED: 'a' }, undefined, false])
    expect(await second.run('return process.env')).toEqual({ SHARED: 'a' })
  })

  it('Buffer is the VM’s own class: no host Buffer, constructor or Function reaches the VM', async () => {
    const ipc = new VMIpcLibrary()
    const codebase = new VMCodeBaseLibrary()
    codebase.getFs().writeFileSync('/small.txt', 'hi')
    const vm = await createTestVM([codebase, ipc])
    await vm.run('return { inspect: (value) => [Buffer.isBuffer(value), value.constructor === Uint8Array, value.buffer.byteLength] }')
    expect(await ipc.callIpc('inspect', [Buffer.from('from the host pool')])).toEqual([false, true, 18])
    expect(
      await vm.run(`
        const b = Buffer.from('x')
        const read = require('fs').readFileSync('/small.txt')
        const root = (value) => { let p = value; while (Object.getPrototypeOf(p) !== null) p = Object.getPrototypeOf(p); return p }
        return [b.constructor === Buffer, Buffer.constructor === Function, root(b) === Object.prototype, b.constructor.constructor('return globalThis')() === globalThis,
          read.buffer.byteLength, Buffer.from(read.buffer).toString(), typeof Buffer.poolSize, root(require('events')) === Object.prototype, root(require('util').inspect) === Object.prototype]`),
    ).toEqual([true, true, true, true, 2, 'hi', 'number', true, true])
  })

  it('compat modules reach only sandbox built-ins: their require cannot load host modules or the volume', async () => {
    const codebase = new VMCodeBaseLibrary()
    codebase.getFs().mkdirSync('/node_modules/buffer', { recursive: true })
    codebase.getFs().writeFileSync('/node_modules/buffer/index.js', 'globalThis.volumeLoaded = true; module.exports = {}')
    const vm = await createTestVM([codebase])
    expect(
      await vm.run(`
        const util = require('node:util')
        const decoder = require('string_decoder')
        return [typeof Buffer.from, globalThis.volumeLoaded, typeof util.inspect, typeof decoder.StringDecoder, Object.getOwnPropertyNames(globalThis).filter((n) => n.startsWith('__'))]`),
    ).toEqual(['function', undefined, 'function', 'function', []])
  })

  it('process.exit, kill and chdir cannot act on the host', async () => {
    const vm = await createTestVM([new VMCodeBaseLibrary()])
    const cwd = process.cwd()
    expect(
      await vm.run(`return [() => process.exit(0), () => process.kill(1, 'SIGKILL'), () => process.chdir('/tmp'), () => process.abort()].map((f) => { try { f(); return 'ran' } catch (e) { return e.code } })`),
    ).toEqual(['VM_ERR_PROCESS_EXIT', 'ERR_WORKER_UNSUPPORTED_OPERATION', 'ERR_WORKER_UNSUPPORTED_OPERATION', 'VM_ERR_PROCESS_EXIT'])
    expect(process.cwd()).toBe(cwd)
    expect(await vm.run('return 1')).toBe(1)
  })
})
