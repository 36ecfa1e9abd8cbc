import { readFileSync } from 'node:fs'
import { Bench } from 'tinybench'

export interface Sample {
  /** Median time of one operation, ms. */
  median: number
  /** Median absolute deviation, ms. */
  mad: number
  samples: number
}

export interface Row {
  id: string
  name: string
  ours: Sample | number
  raw: Sample | number
  unit: string
  /** `ours / raw` for times and sizes, `raw / ours` for throughput rows. */
  ratio: number
  target: string
  pass: boolean
  note?: string
  /** Cores the rest of the machine kept busy while the row ran (see busyElsewhere). */
  elsewhere?: number
}

export type Task = (() => Promise<unknown> | unknown) | { fn: () => Promise<unknown> | unknown; beforeEach?: () => Promise<void> | void; afterEach?: () => Promise<void> | void }

/**
 * Measures operations in many short alternating rounds (ours, raw, raw, ours…) so both see the
 * same machine state; each task's figure is the median of its per-round medians. Rounds are short
 * (a few operations of a cold VM) because this machine's speed drifts by tens of percent within a
 * second: with five long rounds, one task could get the fast stretches and the other the slow.
 */
export async function measure(tasks: Record<string, Task>, perOp = 1, time = 700, rounds = 25, minIterations = 4): Promise<Record<string, Sample>> {
  const perRound: Record<string, number[]> = {}
  const spread: Record<string, number[]> = {}
  let samples = 0
  for (let round = 0; round < rounds; round++) {
    // Short rounds of at least `minIterations` operations (the first operation after a switch is
    // often slower on either side: the median of a round should not be it); only the first round
    // warms up.
    const bench = new Bench({ time: time / rounds, iterations: minIterations, warmup: round === 0, warmupTime: 150, warmupIterations: 4 })
    const names = Object.keys(tasks)
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const task = tasks[name] as Task
      if (typeof task === 'function') bench.add(name, task)
      else bench.add(name, task.fn, { beforeEach: task.beforeEach, afterEach: task.afterEach })
    }
    await bench.run()
    for (const task of bench.tasks) {
      const result = task.result as { latency?: { p50?: number; mad?: number; samplesCount?: number }; state?: string; error?: unknown }
      if (!result?.latency?.p50) throw new Error(`bench task ${task.name} failed: ${String(result?.error ?? result?.state)}`)
      ;(perRound[task.name] ??= []).push(result.latency.p50 / perOp)
      ;(spread[task.name] ??= []).push((result.latency.mad ?? 0) / perOp)
      samples += result.latency.samplesCount ?? 0
    }
  }
  const out: Record<string, Sample> = {}
  for (const name of Object.keys(tasks)) out[name] = { median: median(perRound[name] ?? []), mad: median(spread[name] ?? []), samples }
  return out
}

/**
 * Starts watching the machine: the returned function gives how many cores, on average, other
 * processes and the hypervisor (steal time: other tenants of a shared host) kept busy since, so a
 * row's figures can be read against the machine's state. Linux only (/proc/stat); undefined
 * elsewhere.
 */
export function busyElsewhere(): () => number | undefined {
  const read = () => {
    try {
      // cpu  user nice system idle iowait irq softirq steal …, in USER_HZ (1/100 s on Linux).
      const fields = readFileSync('/proc/stat', 'utf8').slice(0, 200).split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
      const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields
      return (user + nice + system + irq + softirq + steal) / 100
    } catch {
      return undefined
    }
  }
  const busy = read()
  const own = process.cpuUsage()
  const started = performance.now()
  return () => {
    const now = read()
    if (busy === undefined || now === undefined) return undefined
    const used = process.cpuUsage(own)
    const ownSeconds = (used.user + used.system) / 1e6
    const wall = (performance.now() - started) / 1000
    return wall > 0 ? Math.max(0, (now - busy - ownSeconds) / wall) : undefined
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? 0
}

export function timeRow(id: string, name: string, ours: Sample, raw: Sample, maxRatio: number, note?: string): Row {
  const ratio = ours.median / raw.median
  return { id, name, ours, raw, unit: 'ms/op', ratio, target: `≤ ${maxRatio}×`, pass: ratio <= maxRatio, note }
}

export function formatSample(value: Sample | number, unit: string): string {
  if (typeof value === 'number') return `${value.toFixed(2)} ${unit}`
  const us = value.median * 1000
  const spread = value.mad * 1000
  return us >= 1000 ? `${(us / 1000).toFixed(2)} ms ±${(spread / 1000).toFixed(2)}` : `${us.toFixed(1)} µs ±${spread.toFixed(1)}`
}
