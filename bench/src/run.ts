import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { type Row, formatSample } from './harness.js'
import { requireModules } from './codebaseRows.js'
import { bigObject, coldVm, consoleCost, hostToVm, idleRss, measureRunaway, runaway, vmToHost } from './rows.js'

const started = Date.now()
const rows: Row[] = []
for (const row of [coldVm, hostToVm, vmToHost, bigObject, requireModules, idleRss, runaway, measureRunaway, consoleCost]) {
  const result = await row()
  rows.push(result)
  console.log(
    `${result.id.padEnd(2)} ${result.name.padEnd(58)} ours ${formatSample(result.ours, result.unit).padEnd(18)} raw ${formatSample(result.raw, result.unit).padEnd(18)} ratio ${result.ratio.toFixed(2)}  target ${result.target.padEnd(18)} ${result.pass ? 'PASS' : 'FAIL'}`,
  )
}
const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version }
mkdirSync(new URL('../results/', import.meta.url), { recursive: true })
writeFileSync(new URL('../results/latest.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), machine, rows }, null, 2)}\n`)
console.log(`\n${rows.filter((r) => r.pass).length}/${rows.length} targets met in ${((Date.now() - started) / 1000).toFixed(0)} s on ${machine.cpus} × ${machine.cpu}, Node ${machine.node}`)
