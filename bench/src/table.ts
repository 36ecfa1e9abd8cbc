// Prints results/latest.json as the markdown tables of bench/README.md.
import { readFileSync } from 'node:fs'
import { type Row, formatSample } from './harness.js'
import type { PeerRow } from './peerRows.js'

const results = JSON.parse(readFileSync(new URL('../results/latest.json', import.meta.url), 'utf8')) as { date: string; machine: Record<string, unknown>; rows: Row[]; peers: PeerRow[] }
console.log(`Run ${results.date.slice(0, 10)} on ${results.machine.cpus} × ${results.machine.cpu}, ${results.machine.memoryGb} GB, Node ${results.machine.node}.\n`)
console.log('| # | operation | vm-machine | raw isolated-vm | ratio | target | | busy elsewhere |')
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |')
for (const row of results.rows) {
  console.log(`| ${row.id} | ${row.name}${row.note ? ` — ${row.note}` : ''} | ${formatSample(row.ours, row.unit)} | ${formatSample(row.raw, row.unit)} | ${row.ratio.toFixed(2)} | ${row.target} | ${row.pass ? 'PASS' : 'FAIL'} | ${row.elsewhere === undefined ? 'n/a' : `${row.elsewhere.toFixed(2)} cores`} |`)
}
const cell = (value: number | undefined) => (value === undefined ? 'n/a' : value < 1 ? `${(value * 1000).toFixed(2)} µs` : `${value.toFixed(2)} ms`)
console.log('\n| workload | vm-machine | quickjs-emscripten | node:vm | vm2 |')
console.log('| --- | --- | --- | --- | --- |')
for (const peer of results.peers) console.log(`| ${peer.workload} | ${cell(peer.vmMachine)} | ${cell(peer.quickjs)} | ${cell(peer.nodeVm)} | ${cell(peer.vm2)} |`)
