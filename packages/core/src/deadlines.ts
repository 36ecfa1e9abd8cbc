/** An entry of a Deadlines list: when it expires (on performance.now()'s clock) and its links. */
export interface Deadline {
  /** 0 while the entry is in no list. */
  at: number
  prev: Deadline | undefined
  next: Deadline | undefined
}

// Node's timers take at most 2^31 - 1 ms (longer ones fire after 1 ms): re-arm in steps instead.
const MAX_DELAY = 2 ** 31 - 1

/**
 * Entries in deadline order, served by one host timer. Adding and removing an entry costs no timer
 * work while the timer is already armed for an earlier moment: a setTimeout/clearTimeout pair per
 * call costs ~1.5 µs of a ~30 µs round trip. The timer keeps the process alive only while some
 * entry is in the list, like one timer per entry would.
 */
export class Deadlines<T extends Deadline> {
  /** Called with each entry whose deadline passed, after it left the list; must not throw. */
  readonly #expire: (entry: T) => void
  #head: Deadline | undefined
  #tail: Deadline | undefined
  #timer: ReturnType<typeof setTimeout> | undefined
  /** When the armed timer fires; Infinity when none is armed. */
  #timerAt = Number.POSITIVE_INFINITY

  constructor(expire: (entry: T) => void) {
    this.#expire = expire
  }

  /** Adds `entry` to expire `timeout` ms from now (> 0). */
  add(entry: T, timeout: number): void {
    const at = performance.now() + timeout
    entry.at = at
    // Entries of one timeout arrive in deadline order, so the scan stops at once.
    let before = this.#tail
    while (before !== undefined && before.at > at) before = before.prev
    entry.prev = before
    entry.next = before === undefined ? this.#head : before.next
    if (entry.next === undefined) this.#tail = entry
    else entry.next.prev = entry
    if (before === undefined) {
      const wasEmpty = this.#head === undefined
      this.#head = entry
      if (wasEmpty && this.#timer !== undefined) this.#timer.ref()
    } else before.next = entry
    if (at < this.#timerAt) this.#arm(at)
  }

  /** Takes `entry` out of the list; nothing when it is in none. */
  remove(entry: Deadline): void {
    if (entry.at === 0) return
    entry.at = 0
    const { prev, next } = entry
    if (prev === undefined) this.#head = next
    else prev.next = next
    if (next === undefined) this.#tail = prev
    else next.prev = prev
    entry.prev = entry.next = undefined
    // The timer stays armed (re-arming costs more than a late no-op firing) but no longer keeps
    // the process alive.
    if (this.#head === undefined) this.#timer?.unref()
  }

  /** Drops every entry without expiring it and stops the timer. */
  clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = Number.POSITIVE_INFINITY
    for (let entry = this.#head; entry !== undefined; ) {
      const next = entry.next
      entry.at = 0
      entry.prev = entry.next = undefined
      entry = next
    }
    this.#head = this.#tail = undefined
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timerAt = at
    this.#timer = setTimeout(this.#fire, Math.min(MAX_DELAY, Math.max(1, Math.ceil(at - performance.now()))))
  }

  readonly #fire = (): void => {
    this.#timer = undefined
    this.#timerAt = Number.POSITIVE_INFINITY
    // A timer may fire a little before its moment by performance.now(): such entries wait for the next.
    const now = performance.now()
    while (this.#head !== undefined && this.#head.at <= now) {
      const entry = this.#head
      this.remove(entry)
      this.#expire(entry as T)
    }
    if (this.#head !== undefined) this.#arm(this.#head.at)
  }
}
