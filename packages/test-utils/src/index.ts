import { VM, type VMLibrary, type VMOptions } from '@vm-machine/core'
import { afterEach } from 'vitest'

const live = new Set<VM>()

afterEach(async () => {
  const vms = [...live]
  live.clear()
  await Promise.all(vms.map((vm) => vm.dispose()))
})

/** A VM that is initialized now and disposed after the current test. */
export async function createTestVM(libraries: VMLibrary[] = [], options: VMOptions = {}): Promise<VM> {
  const vm = trackVM(new VM(libraries, options))
  await vm.initialize()
  return vm
}

/** Disposes `vm` after the current test. */
export function trackVM<T extends VM>(vm: T): T {
  live.add(vm)
  return vm
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `check` (sync or async) until it returns true or `ms` pass. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`waitFor: condition not met within ${ms} ms`)
    await sleep(5)
  }
}

/** The rejection of `promise` (fails the test if it resolves), typed loosely for assertions. */
// biome-ignore lint: tests read arbitrary fields of the caught error.
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('Expected the promise to reject, but it resolved')
}
