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
}

/** Measures async operations interleaved in one Bench run so both see the same machine state. */
export async function measure(tasks: Record<string, () => Promise<unknown> | unknown>, perOp = 1, time = 700): Promise<Record<string, Sample>> {
  const bench = new Bench({ time, warmupTime: 150 })
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn)
  await bench.run()
  const out: Record<string, Sample> = {}
  for (const task of bench.tasks) {
    const result = task.result as { latency?: { p50?: number; mad?: number; samplesCount?: number }; state?: string; error?: unknown }
    if (!result?.latency?.p50) throw new Error(`bench task ${task.name} failed: ${String(result?.error ?? result?.state)}`)
    out[task.name] = { median: result.latency.p50 / perOp, mad: (result.latency.mad ?? 0) / perOp, samples: result.latency.samplesCount ?? 0 }
  }
  return out
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
