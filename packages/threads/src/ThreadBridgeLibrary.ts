import { type VM, VMLibrary, type VMHostCallableSource, type VMReferences, hostFunction, isHostCallableSource } from '@vm-machine/core'
import { ThreadScope } from './ThreadScope.js'
import { threadVmCode } from './vmCode.js'

/**
 * The first library of every thread VM: `host` (the thread's own VMIpcRxLibrary callables plus
 * the parent VM's; the thread's own win on a clash), `isThread`, the watchdog's ping, and the
 * scope nested thread libraries count against.
 */
export class ThreadBridgeLibrary extends VMLibrary {
  constructor(
    readonly threadId: string,
    readonly parent: VM,
    readonly scope: ThreadScope,
  ) {
    super()
  }

  override get name(): string {
    return `ThreadBridgeLibrary(${this.threadId})`
  }

  override attach(vm: VM): void {
    vm.provide(ThreadScope, this.scope)
  }

  /** Host callables for this thread: its own sources first, then the parent VM's. */
  sources(): VMHostCallableSource[] {
    const own: VMHostCallableSource[] = this.vm.libraries.filter((library) => isHostCallableSource(library)) as unknown as VMHostCallableSource[]
    const inherited = (this.parent.isDisposed ? [] : this.parent.libraries.filter((library) => isHostCallableSource(library))) as unknown as VMHostCallableSource[]
    return [...own, ...inherited]
  }

  override getReferences(): VMReferences {
    const sources = this.sources()
    const names = [...new Set(sources.flatMap((source) => source.getCallableNames()))]
    return {
      __vmm_thread_host: hostFunction(async (name: string, args: unknown[]) => {
        const source = sources.find((candidate) => candidate.getCallableNames().includes(name))
        if (!source) throw new TypeError(`host.${name} is not a host function of this thread`)
        return source.callHost(name, args)
      }, 'async'),
      __vmm_thread_host_names: names,
      __vmm_thread_id: this.threadId,
    }
  }

  override getVmCode(): string {
    return threadVmCode
  }
}
