import { randomUUID } from 'node:crypto'
import { Waiters } from './Waiters.js'

/** What a Pinger needs from the VM it watches. */
export interface PingTarget {
  /** Whether a ping can be sent now (the VM is initialized and alive). */
  ready(): boolean
  /** Sends `nonce` into the VM, which answers through `Pinger.answer`. */
  send(nonce: string): void
  /** Milliseconds the VM has spent running code so far. */
  wallTime(): number
  /** The pending ping stayed unanswered for the whole limit. */
  missed(limit: number): void
}

/** Ms of VM work since the last check (or a quarter of the period, if less) that sends a ping. */
const BUSY_MS = 0.5

interface PendingPing {
  nonce: string
  sentAt: number
}

/**
 * One VM's liveness pings: one nonce in flight at a time and, with a limit, a deadline.
 * With a limit it also pings by itself: every half-limit, and as soon as a check (every limit / 20
 * ms, reading the VM's wall time without entering it) sees the VM busy running code, so a runaway
 * is stopped about `limit` ms after it started instead of up to 1.5 × limit.
 */
export class Pinger {
  readonly #target: PingTarget
  readonly #limit: number | undefined
  readonly #waiters = new Waiters()
  #pending: PendingPing | undefined
  #roundTrip = 0
  #lastSentAt = Number.NEGATIVE_INFINITY
  #deadline: NodeJS.Timeout | undefined
  #confirm: NodeJS.Immediate | undefined
  #watch: NodeJS.Timeout | undefined
  #lastWall = 0
  #lastTick = 0
  #stopped = false

  constructor(limit: number | undefined, target: PingTarget) {
    this.#limit = limit
    this.#target = target
  }

  /** The last round trip in ms, or how long the pending ping has waited when that is longer. */
  get responseTime(): number {
    const pending = this.#pending
    return pending ? Math.max(this.#roundTrip, performance.now() - pending.sentAt) : this.#roundTrip
  }

  /** Starts pinging by itself when a limit is set. */
  start(): void {
    const limit = this.#limit
    if (limit === undefined || this.#watch || this.#stopped) return
    this.#lastWall = this.#target.wallTime()
    this.#lastTick = performance.now()
    this.#watch = setInterval(() => this.#tick(limit), Math.max(1, Math.round(limit / 20)))
  }

  /** Sends a fresh nonce unless one is pending (so pinging often never postpones the deadline). */
  ping(): void {
    if (this.#stopped || this.#pending || !this.#target.ready()) return
    const pending: PendingPing = { nonce: randomUUID(), sentAt: performance.now() }
    this.#pending = pending
    this.#lastSentAt = pending.sentAt
    if (this.#limit !== undefined) this.#deadline = setTimeout(() => this.#expire(pending), this.#limit)
    this.#target.send(pending.nonce)
  }

  /** The VM's answer; anything but the pending nonce is ignored. */
  answer(nonce: unknown): void {
    const pending = this.#pending
    if (!pending || nonce !== pending.nonce) return
    this.#roundTrip = performance.now() - pending.sentAt
    this.#settle()
  }

  /** Drops the pending ping without a result (sending it failed). */
  cancel(nonce: string): void {
    if (this.#pending?.nonce === nonce) this.#settle()
  }

  /** Resolves when no ping is pending (answered, missed or stopped), or after `maxWait` ms. */
  settled(maxWait: number): Promise<void> {
    return this.#pending ? this.#waiters.wait(maxWait) : Promise.resolve()
  }

  /** Clears every timer and releases waiters. Final. */
  stop(): void {
    this.#stopped = true
    clearInterval(this.#watch)
    this.#watch = undefined
    this.#settle()
  }

  #settle(): void {
    this.#pending = undefined
    clearTimeout(this.#deadline)
    this.#deadline = undefined
    if (this.#confirm) clearImmediate(this.#confirm)
    this.#confirm = undefined
    this.#waiters.releaseAll()
  }

  #tick(limit: number): void {
    const now = performance.now()
    const wall = this.#target.wallTime()
    const ran = wall - this.#lastWall
    const elapsed = now - this.#lastTick
    this.#lastWall = wall
    this.#lastTick = now
    if (this.#pending) return
    if ((ran > 0 && ran >= Math.min(BUSY_MS, elapsed / 4)) || now - this.#lastSentAt >= limit / 2) this.ping()
  }

  #expire(pending: PendingPing): void {
    this.#deadline = undefined
    // Check in the next check phase: an answer that arrived while the host itself was blocked is
    // read in the poll phase before it, so a slow host does not panic-stop a healthy VM.
    this.#confirm = setImmediate(() => {
      this.#confirm = undefined
      if (this.#pending === pending && !this.#stopped) this.#target.missed(this.#limit ?? 0)
    })
  }
}
