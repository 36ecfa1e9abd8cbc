import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { requireModules } from './codebaseRows.js'
import { compatLayer } from './compatRows.js'
import { type Row, busyElsewhere, formatSample } from './harness.js'
import { type PeerRow, peerRows } from './peerRows.js'
import { bigObject, coldVm, consoleCost, hostToVm, idleRss, measureRunaway, runaway, vmToHost } from './rows.js'
import { parallelThreads } from './threadRows.js'

// `pnpm bench 1 5 peers` runs only those rows (ids as printed) and writes results/partial.json.
const ROWS: Array<[string, () => Promise<Row | Row[]>]> = [
  ['1', coldVm],
  ['2', hostToVm],
  ['3', vmToHost],
  ['4', bigObject],
  ['5', requireModules],
  ['9', compatLayer],
  ['6', parallelThreads],
  ['7', idleRss],
  ['8', runaway],
  ['m', measureRunaway],
  ['c', consoleCost],
]
const selected = process.argv.slice(2)
const known = [...ROWS.map(([id]) => id), 'peers']
const unknown = selected.filter((id) => !known.includes(id))
if (unknown.length > 0) {
  console.error(`Unknown row ${unknown.join(', ')}; rows are ${known.join(', ')}`)
  process.exit(1)
}
const wanted = (id: string) => selected.length === 0 || selected.includes(id)

const started = Date.now()
const rows: Row[] = []
// Each row starts from a settled process: the previous row's garbage collected and its
// background work (isolate teardown, JIT compiles, concurrent GC) finished.
const settle = async () => {
  ;(globalThis as { gc?: () => void }).gc?.()
  await new Promise((resolve) => setTimeout(resolve, 250))
}
for (const [id, row] of ROWS) {
  if (!wanted(id)) continue
  await settle()
  const elsewhere = busyElsewhere()
  const results = await row()
  const busy = elsewhere()
  for (const result of Array.isArray(results) ? results : [results]) {
    if (busy !== undefined) result.elsewhere = busy
    rows.push(result)
    console.log(
      `${result.id.padEnd(3)} ${result.name.padEnd(62)} ours ${formatSample(result.ours, result.unit).padEnd(18)} raw ${formatSample(result.raw, result.unit).padEnd(18)} ratio ${result.ratio.toFixed(2)}  target ${result.target.padEnd(18)} ${result.pass ? 'PASS' : 'FAIL'}${busy === undefined ? '' : `  [busy elsewhere ${busy.toFixed(2)} cores]`}${result.note ? `  (${result.note})` : ''}`,
    )
  }
}

const peers: PeerRow[] = wanted('peers') ? await peerRows() : []
if (peers.length > 0) console.log('\nSame workloads on other sandboxes (facts, no targets):')
const cell = (value: number | undefined, unit: string) => (value === undefined ? 'n/a' : unit === 'ms' && value < 1 ? `${(value * 1000).toFixed(2)} µs` : `${value.toFixed(2)} ms`)
for (const peer of peers) {
  console.log(`   ${peer.workload.padEnd(62)} vm-machine ${cell(peer.vmMachine, peer.unit).padEnd(12)} quickjs-emscripten ${cell(peer.quickjs, peer.unit).padEnd(12)} node:vm ${cell(peer.nodeVm, peer.unit).padEnd(12)} vm2 ${cell(peer.vm2, peer.unit)}`)
}

const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version }
mkdirSync(new URL('../results/', import.meta.url), { recursive: true })
const file = selected.length === 0 ? 'latest.json' : 'partial.json'
writeFileSync(new URL(`../results/${file}`, import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), machine, rows, peers }, null, 2)}\n`)
console.log(`\n${rows.filter((r) => r.pass).length}/${rows.length} targets met in ${((Date.now() - started) / 1000).toFixed(0)} s on ${machine.cpus} × ${machine.cpu}, Node ${machine.node}; results in bench/results/${file}`)
