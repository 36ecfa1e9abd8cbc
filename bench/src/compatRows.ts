import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VM } from '@vm-machine/core'
import { type Row, formatSample, measure, timeRow } from './harness.js'

const touchWeb = `new TextEncoder().encode('x'); new TextDecoder().decode(new Uint8Array(1)); new URL('https://example.com/a?b=c').searchParams.get('b')
  btoa(atob('eA==')); structuredClone({ a: [1] }); crypto.getRandomValues(new Uint8Array(8)); crypto.randomUUID(); queueMicrotask(() => {})
  process.env.NODE_ENV; return 1`

async function cold(code: string): Promise<void> {
  const vm = new VM([new VMCodeBaseLibrary()])
  await vm.initialize()
  await vm.run(code)
  await vm.dispose()
}

/**
 * Compat: a cold VM (codebase) that touches the web globals and `process` vs one that touches none
 * (which must cost what it did before the compatibility layer); the note gives a cold VM's first
 * `require('buffer')`.
 */
export async function compatLayer(): Promise<Row> {
  const samples = await measure({
    touched: () => cold(touchWeb),
    untouched: () => cold('return 1'),
    buffer: () => cold("require('buffer'); return 1"),
  })
  const row = timeRow('9', 'cold VM (codebase) touching web globals+process vs untouched', samples.touched!, samples.untouched!, 4)
  return { ...row, note: `cold VM with a first require('buffer'): ${formatSample(samples.buffer!, 'ms/op')}` }
}
