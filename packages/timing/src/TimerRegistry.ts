/** The host's real timers of one VM, by VM timer id. */
export class TimerRegistry {
  readonly #timers = new Map<number, { handle: NodeJS.Timeout | NodeJS.Immediate; kind: TimerKind }>()

  constructor(readonly limitCount: number) {}

  get size(): number {
    return this.#timers.size
  }

  /** Starts a host timer; returns false (and starts nothing) when the limit is reached. */
  set(id: number, ms: number, kind: TimerKind, fire: (id: number) => void): boolean {
    if (this.#timers.has(id) || this.#timers.size >= this.limitCount) return false
    const onFire = () => {
      if (kind !== 'interval') this.#timers.delete(id)
      fire(id)
    }
    const handle = kind === 'immediate' ? setImmediate(onFire) : kind === 'interval' ? setInterval(onFire, ms) : setTimeout(onFire, ms)
    this.#timers.set(id, { handle, kind })
    return true
  }

  clear(id: number): void {
    const timer = this.#timers.get(id)
    if (!timer) return
    this.#timers.delete(id)
    stop(timer.handle, timer.kind)
  }

  clearAll(): void {
    for (const timer of this.#timers.values()) stop(timer.handle, timer.kind)
    this.#timers.clear()
  }
}

export type TimerKind = 'timeout' | 'interval' | 'immediate'

function stop(handle: NodeJS.Timeout | NodeJS.Immediate, kind: TimerKind): void {
  if (kind === 'immediate') clearImmediate(handle as NodeJS.Immediate)
  else clearTimeout(handle as NodeJS.Timeout)
}
