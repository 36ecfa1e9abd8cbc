import { VMInvalidArgumentError, VMLibrary, VMLimitExceededError, type VMFunction, type VMReferences, hostFunction, isHandledByVM } from '@vm-machine/core'
import { type TimerKind, TimerRegistry } from './TimerRegistry.js'
import { vmCode } from './vmCode.js'

export interface VMTimingLibraryOptions {
  /** Live timers allowed at once; one more throws a RangeError (VMLimitExceededError) in the VM. @default 100 */
  limitCount?: number
}

/**
 * `setTimeout`, `setInterval`, `setImmediate` and their `clear*` in the VM, driven by host timers.
 * A fired timeout frees its slot; an interval holds one until cleared. Errors thrown by callbacks
 * go to the VM's `onError`; other timers keep running.
 */
export class VMTimingLibrary extends VMLibrary {
  readonly limitCount: number
  readonly #timers: TimerRegistry
  #fire: VMFunction | undefined
  /** Timer ids whose tick is on its way into the VM. */
  readonly #firing = new Set<number>()

  constructor({ limitCount = 100 }: VMTimingLibraryOptions = {}) {
    super()
    if (typeof limitCount !== 'number' || !Number.isInteger(limitCount) || limitCount < 0) {
      throw new VMInvalidArgumentError(`VMTimingLibrary limitCount must be a whole number >= 0; got ${String(limitCount)}`)
    }
    this.limitCount = limitCount
    this.#timers = new TimerRegistry(limitCount)
  }

  /** Host timers currently live for this VM. */
  get activeCount(): number {
    return this.#timers.size
  }

  override getReferences(): VMReferences {
    return {
      __vmm_timing_set: hostFunction((id: number, ms: number, kind: TimerKind) => {
        if (!this.#timers.set(id, ms, kind, (due) => this.#onFire(due))) {
          this.onError?.(new VMLimitExceededError('limitCount', this.limitCount))
        }
      }, 'ignored'),
      __vmm_timing_clear: hostFunction((id: number) => this.#timers.clear(id), 'ignored'),
      __vmm_timing_limit: this.limitCount,
    }
  }

  override getVmCode(): string {
    return vmCode
  }

  override start(): void {
    this.#fire = this.vm.getVmFunction('timing.fire')
  }

  override dispose(): void {
    this.#timers.clearAll()
    this.#firing.clear()
    this.#fire = undefined
  }

  #onFire(id: number): void {
    const fire = this.#fire
    if (!fire) return
    // An interval whose previous tick the VM has not run yet (it is busy) skips this one, as a
    // Node interval does while the event loop is blocked: no burst of queued ticks afterwards.
    if (this.#firing.has(id)) return
    this.#firing.add(id)
    fire(id).then(
      () => this.#firing.delete(id),
      (error: Error) => {
        this.#firing.delete(id)
        if (!isHandledByVM(error)) this.onError?.(error)
      },
    )
  }
}
