/** Promises that resolve together on `releaseAll()`, each after `maxWait` ms at the latest. */
export class Waiters {
  readonly #pending = new Set<() => void>()

  get size(): number {
    return this.#pending.size
  }

  wait(maxWait: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(maxWait) ? setTimeout(() => done(), maxWait) : undefined
      const done = () => {
        clearTimeout(timer)
        this.#pending.delete(done)
        resolve()
      }
      this.#pending.add(done)
    })
  }

  releaseAll(): void {
    for (const done of [...this.#pending]) done()
  }
}
