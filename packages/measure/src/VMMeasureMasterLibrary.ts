import { type VM, VMInvalidArgumentError, VMLibraryConflictError } from '@vm-machine/core'
import type { UsageStats } from './UsageStats.js'
import { VMMeasureLibrary, type VMMeasureLibraryOptions, describe, pingAndSettle } from './VMMeasureLibrary.js'

export interface VMMeasureMasterLibraryOptions {
  /**
   * The master's own VM's limit, and the default of every `getNewLibrary()` child that sets none.
   * @default undefined (off)
   */
  responseTimeLimit?: number
}

/** Totals over every VM the master manages. */
export interface CombinedUsageStats {
  /** Sum of `usedMemory`, bytes. */
  usedMemory: number
  /** Sum of `usedMemory` / sum of `totalMemory` × 100. */
  memoryUsedPercentage: number
  /** Mean `responseTime`, ms. */
  responseAverageTime: number
  /** Largest `responseTime`, ms. */
  responseTime: number
  /** VMs managed (uninitialised ones included). */
  managedCount: number
}

/** The totals of `getCombinedStats()` plus summed `totalMemory`, `cpuTime`, `wallTime` and each VM's stats by id. */
export interface OverallUsageStats extends UsageStats, CombinedUsageStats {
  nested: Record<string, UsageStats>
}

/** The id under which the master's own VM is managed. */
const MAIN_ID = 'main'
/** How long `pingAll()` waits for a VM that has no `responseTimeLimit`. */
const PING_ALL_WAIT_MS = 1000

/**
 * Monitors many VMs at once: `getNewLibrary(id)` gives a `VMMeasureLibrary` per VM, and the master,
 * itself a measure library, manages its own VM as `main`.
 */
export class VMMeasureMasterLibrary extends VMMeasureLibrary {
  readonly #managed = new Map<string, VMMeasureLibrary>()

  constructor(options: VMMeasureMasterLibraryOptions = {}) {
    super(options)
  }

  /**
   * A new `VMMeasureLibrary` managed under `id` until it is disposed. Without a
   * `responseTimeLimit` of its own it takes the master's.
   */
  getNewLibrary(id: string, options: VMMeasureLibraryOptions = {}): VMMeasureLibrary {
    this.#checkId(id)
    if (typeof options !== 'object' || options === null) throw new VMInvalidArgumentError(`getNewLibrary('${id}', options): options must be an object; got ${describe(options)}`)
    const library: VMMeasureLibrary = new VMMeasureLibrary({ responseTimeLimit: options.responseTimeLimit ?? this.responseTimeLimit }, () => this.#release(id, library))
    this.#managed.set(id, library)
    return library
  }

  override attach(vm: VM): void {
    this.#checkId(MAIN_ID)
    super.attach(vm)
    this.#managed.set(MAIN_ID, this)
  }

  override dispose(): void {
    super.dispose()
    this.#release(MAIN_ID, this)
  }

  /**
   * Pings every managed VM; resolves when each answered or missed its limit (and was stopped).
   * A VM without a limit is waited for at most 1 s; its `responseTime` then shows the wait so far.
   */
  async pingAll(): Promise<void> {
    await Promise.all([...this.#managed.values()].map((library) => pingAndSettle(library, library.responseTimeLimit === undefined ? PING_ALL_WAIT_MS : Number.POSITIVE_INFINITY)))
  }

  /** Totals over every managed VM; all 0 when none is managed. */
  async getCombinedStats(): Promise<CombinedUsageStats> {
    const { usedMemory, memoryUsedPercentage, responseAverageTime, responseTime, managedCount } = await this.getOverallUsageStats()
    return { usedMemory, memoryUsedPercentage, responseAverageTime, responseTime, managedCount }
  }

  /** Totals plus each managed VM's `UsageStats` under its id. */
  async getOverallUsageStats(): Promise<OverallUsageStats> {
    const entries = await Promise.all([...this.#managed].map(async ([id, library]) => [id, await library.getUsageStats()] as const))
    const all = entries.map(([, stats]) => stats)
    const sum = (key: keyof UsageStats) => all.reduce((total, stats) => total + stats[key], 0)
    const usedMemory = sum('usedMemory')
    const totalMemory = sum('totalMemory')
    return {
      usedMemory,
      totalMemory,
      memoryUsedPercentage: totalMemory > 0 ? (usedMemory / totalMemory) * 100 : 0,
      responseAverageTime: all.length > 0 ? sum('responseTime') / all.length : 0,
      responseTime: all.reduce((max, stats) => Math.max(max, stats.responseTime), 0),
      cpuTime: sum('cpuTime'),
      wallTime: sum('wallTime'),
      managedCount: all.length,
      nested: Object.fromEntries(entries),
    }
  }

  #checkId(id: string): void {
    if (typeof id !== 'string' || id === '') throw new VMInvalidArgumentError(`getNewLibrary(id): id must be a non-empty string; got ${describe(id)}`)
    if (this.#managed.has(id)) {
      throw new VMLibraryConflictError(`The measure id '${id}' is already managed by this VMMeasureMasterLibrary; pick another id or dispose the library that has it`)
    }
  }

  #release(id: string, library: VMMeasureLibrary): void {
    if (this.#managed.get(id) === library) this.#managed.delete(id)
  }
}
