import { type VM, type VMFunction, VMInvalidArgumentError, VMLibrary, type VMReferences, VMUnresponsiveError, hostFunction, isHandledByVM } from '@vm-machine/core'
import { Pinger } from './Pinger.js'
import { type UsageStats, zeroUsageStats } from './UsageStats.js'
import { Waiters } from './Waiters.js'
import { vmCode } from './vmCode.js'

export interface VMMeasureLibraryOptions {
  /**
   * Milliseconds a ping may stay unanswered before the VM is panic-stopped (`VMUnresponsiveError`
   * to `onCatastrophicError`). When set, the library pings by itself. @default undefined (off)
   */
  responseTimeLimit?: number
}

/** How long `getUsageStats()` waits for heap statistics of a busy VM before using the last reading. */
const HEAP_WAIT_MS = 100

let settledOf: (library: VMMeasureLibrary, maxWait: number) => Promise<void>

/**
 * Memory, CPU and response-time figures of one VM, and an optional panic stop for a VM that stops
 * answering pings (`responseTimeLimit`). In the VM it defines `__ping()`.
 */
export class VMMeasureLibrary extends VMLibrary {
  readonly responseTimeLimit: number | undefined
  readonly #onDispose: (() => void) | undefined
  readonly #heapWaiters = new Waiters()
  #vm: VM | undefined
  #pinger: Pinger | undefined
  #vmPing: VMFunction | undefined
  #heap = { used: 0, total: 0 }
  #heapRead: Promise<void> | undefined
  #retry: NodeJS.Immediate | undefined
  #disposed = false

  static {
    settledOf = (library, maxWait) => library.#pingAndSettle(maxWait)
  }

  constructor(options: VMMeasureLibraryOptions = {}, onDispose?: () => void) {
    super()
    if (typeof options !== 'object' || options === null) throw new VMInvalidArgumentError(`VMMeasureLibrary options must be an object; got ${describe(options)}`)
    const { responseTimeLimit } = options
    // Node's timers take at most 2^31 - 1 ms (a longer delay fires after 1 ms).
    if (responseTimeLimit !== undefined && (typeof responseTimeLimit !== 'number' || !(responseTimeLimit > 0 && responseTimeLimit <= 2 ** 31 - 1))) {
      throw new VMInvalidArgumentError(`VMMeasureLibrary responseTimeLimit must be a positive number of ms up to 2147483647, or undefined; got ${describe(responseTimeLimit)}`)
    }
    if (onDispose !== undefined && typeof onDispose !== 'function') throw new VMInvalidArgumentError(`VMMeasureLibrary onDispose must be a function; got ${describe(onDispose)}`)
    this.responseTimeLimit = responseTimeLimit
    this.#onDispose = onDispose
  }

  override attach(vm: VM): void {
    this.#vm = vm
    this.#disposed = false
    this.#heap = { used: 0, total: 0 }
    this.#pinger = new Pinger(this.responseTimeLimit, {
      ready: () => this.#vmPing !== undefined && vm.isInitialized,
      send: (nonce) => this.#send(nonce),
      wallTime: () => vm.wallTime,
      missed: (limit) => vm.terminate(new VMUnresponsiveError(limit)),
    })
  }

  override getReferences(): VMReferences {
    return {
      __vmm_measure_pong: hostFunction((nonce: unknown) => this.#pinger?.answer(nonce), 'ignored'),
      __vmm_measure_request: hostFunction(() => this.#onRequest(), 'ignored'),
    }
  }

  override getVmCode(): string {
    return vmCode
  }

  override start(): void {
    this.#vmPing = this.vm.getVmFunction('measure.ping')
    this.#pinger?.start()
  }

  override afterStart(): void {
    // Take a first heap reading now, while the VM is surely idle (core reads heap statistics during
    // library hooks too): V8 reports heap figures only between tasks, so a VM that goes busy as
    // soon as initialize() resolves has one to show.
    this.#startHeapRead(this.vm)
  }

  /** Memory, CPU and response time of the VM; zeros before `initialize()` and after dispose. */
  async getUsageStats(): Promise<UsageStats> {
    const vm = this.#vm
    if (!vm?.isInitialized) return zeroUsageStats()
    await this.#readHeap(vm)
    if (!vm.isInitialized || this.#vm !== vm) return zeroUsageStats()
    const { used, total } = this.#heap
    return {
      usedMemory: used,
      totalMemory: total,
      memoryUsedPercentage: total > 0 ? (used / total) * 100 : 0,
      responseTime: this.getResponseTime(),
      cpuTime: vm.cpuTime,
      wallTime: vm.wallTime,
    }
  }

  /** Sends a ping into the VM; a no-op while one is pending or when the VM is not running. */
  ping(): void {
    this.#pinger?.ping()
  }

  /** Last ping round trip in ms (or the pending ping's wait when longer); 0 before the first. */
  getResponseTime(): number {
    return this.#disposed ? 0 : (this.#pinger?.responseTime ?? 0)
  }

  override dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    this.#pinger?.stop()
    this.#heapWaiters.releaseAll()
    if (this.#retry) clearImmediate(this.#retry)
    this.#retry = undefined
    this.#vmPing = undefined
    this.#vm = undefined
    if (!this.#onDispose) return
    try {
      this.#onDispose()
    } catch (error) {
      this.onError?.(error instanceof Error ? error : new Error(String(error)))
    }
  }

  #send(nonce: string): void {
    const send = this.#vmPing
    if (!send) return
    send(nonce).catch((error: Error) => {
      this.#pinger?.cancel(nonce)
      if (!isHandledByVM(error)) this.onError?.(error)
    })
  }

  #onRequest(): void {
    const vm = this.#vm
    if (!vm || vm.isDisposed || this.#disposed) return
    if (vm.isInitialized) return this.ping()
    // Asked by library code during initialize(): ask again once the VM is ready.
    this.#retry ??= setImmediate(() => {
      this.#retry = undefined
      this.#onRequest()
    })
  }

  #pingAndSettle(maxWait: number): Promise<void> {
    const pinger = this.#pinger
    if (!pinger || this.#disposed) return Promise.resolve()
    pinger.ping()
    return pinger.settled(maxWait)
  }

  // V8 reads heap statistics only between the VM's tasks: a VM stuck in one keeps its last reading.
  #readHeap(vm: VM): Promise<void> {
    this.#startHeapRead(vm)
    return this.#heapWaiters.wait(HEAP_WAIT_MS)
  }

  #startHeapRead(vm: VM): void {
    this.#heapRead ??= vm
      .getHeapStatistics()
      .then(
        (heap) => {
          if (this.#vm === vm) this.#heap = { used: heap.used_heap_size, total: heap.heap_size_limit }
        },
        () => {},
      )
      .finally(() => {
        this.#heapRead = undefined
        this.#heapWaiters.releaseAll()
      })
  }
}

/** Pings `library` and resolves when it answered or missed its limit, or after `maxWait` ms. */
export function pingAndSettle(library: VMMeasureLibrary, maxWait: number): Promise<void> {
  return settledOf(library, maxWait)
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  return `${typeof value} ${typeof value === 'object' ? '' : String(value)}`.trim()
}
