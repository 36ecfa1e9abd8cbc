import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { requireModules } from './codebaseRows.js'
import { compatLayer } from './compatRows.js'
import { type Row, formatSample } from './harness.js'
import { type PeerRow, peerRows } from './peerRows.js'
import { bigObject, coldVm, consoleCost, hostToVm, idleRss, measureRunaway, runaway, vmToHost } from './rows.js'
import { parallelThreads } from './threadRows.js'

const started = Date.now()
const rows: Row[] = []
for (const row of [coldVm, hostToVm, vmToHost, bigObject, requireModules, compatLayer, parallelThreads, idleRss, runaway, measureRunaway, consoleCost]) {
  const results = await row()
  for (const result of Array.isArray(results) ? results : [results]) {
    rows.push(result)
    console.log(
      `${result.id.padEnd(3)} ${result.name.padEnd(62)} ours ${formatSample(result.ours, result.unit).padEnd(18)} raw ${formatSample(result.raw, result.unit).padEnd(18)} ratio ${result.ratio.toFixed(2)}  target ${result.target.padEnd(18)} ${result.pass ? 'PASS' : 'FAIL'}${result.note ? `  (${result.note})` : ''}`,
    )
  }
}

console.log('\nSame workloads on other sandboxes (facts, no targets):')
const peers: PeerRow[] = await peerRows()
const cell = (value: number | undefined, unit: string) => (value === undefined ? 'n/a' : unit === 'ms' && value < 1 ? `${(value * 1000).toFixed(2)} µs` : `${value.toFixed(2)} ms`)
for (const peer of peers) {
  console.log(`   ${peer.workload.padEnd(62)} vm-machine ${cell(peer.vmMachine, peer.unit).padEnd(12)} quickjs-emscripten ${cell(peer.quickjs, peer.unit).padEnd(12)} node:vm ${cell(peer.nodeVm, peer.unit).padEnd(12)} vm2 ${cell(peer.vm2, peer.unit)}`)
}

const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version }
mkdirSync(new URL('../results/', import.meta.url), { recursive: true })
writeFileSync(new URL('../results/latest.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), machine, rows, peers }, null, 2)}\n`)
console.log(`\n${rows.filter((r) => r.pass).length}/${rows.length} targets met in ${((Date.now() - started) / 1000).toFixed(0)} s on ${machine.cpus} × ${machine.cpu}, Node ${machine.node}; results in bench/results/latest.json`)
