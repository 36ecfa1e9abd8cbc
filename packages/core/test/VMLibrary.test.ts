import {
  VM,
  VMCapabilityMissingError,
  VMLibrary,
  VMLibraryConflictError,
  VMLibraryGroup,
  VMNotInitializedError,
  VMScriptError,
  type VMReferences,
  defineCapability,
  hostFunction,
} from '@vm-machine/core'
import { createTestVM, rejectionOf, sleep, trackVM, waitFor } from '@vm-machine/test-utils'
import { describe, expect, it, vi } from 'vitest'

class Recorder extends VMLibrary {
  constructor(
    readonly label: string,
    readonly log: string[],
  ) {
    super()
  }
  override get name() {
    return this.label
  }
  override attach() {
    this.log.push(`attach ${this.label}`)
  }
  override getReferences(): VMReferences {
    this.log.push(`references ${this.label}`)
    return {}
  }
  override getVmCode() {
    this.log.push(`code ${this.label}`)
    return `(globalThis.order ??= []).push('${this.label}')`
  }
  override async start() {
    await sleep(1)
    this.log.push(`start ${this.label}`)
  }
  override afterStart() {
    this.log.push(`afterStart ${this.label}`)
  }
  override dispose() {
    this.log.push(`dispose ${this.label}`)
  }
}

describe('VMLibrary lifecycle', () => {
  it('runs hooks in the decided order, groups flattened depth-first, dispose in reverse', async () => {
    const log: string[] = []
    const a = new Recorder('a', log)
    class Group extends VMLibraryGroup {
      override get name() {
        return 'g'
      }
      override getVmCode() {
        log.push('code g')
        return `(globalThis.order ??= []).push('g')`
      }
    }
    const group = new Group([new Recorder('b', log), new Recorder('c', log)])
    const d = new Recorder('d', log)
    const vm = trackVM(new VM([a, group, d]))
    await vm.initialize()
    expect(log).toEqual([
      'attach a', 'attach b', 'attach c', 'attach d',
      'references a', 'code a', 'code g', 'references b', 'code b', 'references c', 'code c', 'references d', 'code d',
      'start a', 'start b', 'start c', 'start d',
      'afterStart a', 'afterStart b', 'afterStart c', 'afterStart d',
    ])
    expect(await vm.run('return order.join("")')).toBe('agbcd')
    expect(vm.libraries.map((l) => l.name)).toEqual(['a', 'g', 'b', 'c', 'd'])
    log.length = 0
    vm.dispose()
    expect(log).toEqual(['dispose d', 'dispose c', 'dispose b', 'dispose a'])
  })

  it('lets hooks take VM function handles, which enter the VM once initialize() has resolved', async () => {
    class Warm extends VMLibrary {
      hello: (() => Promise<unknown>) | undefined
      early: unknown
      override getVmCode() {
        return `__vmm_expose('warm.hello', () => 'hi')`
      }
      override async afterStart() {
        this.hello = this.vm.getVmFunction('warm.hello')
        this.early = await rejectionOf(this.hello())
      }
    }
    const warm = new Warm()
    await createTestVM([warm])
    expect(warm.early).toBeInstanceOf(VMNotInitializedError)
    expect(await warm.hello?.()).toBe('hi')
  })

  it('collects references lazily, so fields set after super() are seen', async () => {
    class Late extends VMLibrary {
      readonly value: number
      constructor() {
        super()
        this.value = 7
      }
      override getReferences() {
        return { lateValue: () => this.value }
      }
    }
    const vm = await createTestVM([new Late()])
    expect(await vm.run('return lateValue()')).toBe(7)
  })

  it('lets getLibraries() be overridden', async () => {
    class Preset extends VMLibraryGroup {
      override getLibraries() {
        return [new (class extends VMLibrary {
          override getVmCode() {
            return 'globalThis.fromPreset = true'
          }
        })()]
      }
    }
    const vm = await createTestVM([new Preset()])
    expect(await vm.run('return fromPreset')).toBe(true)
  })

  it('disposes every library even when one throws, reports it to onError, then calls onDispose once', async () => {
    const log: string[] = []
    const onError = vi.fn()
    const onDispose = vi.fn(() => log.push('onDispose'))
    class Broken extends VMLibrary {
      override dispose(): void {
        throw new Error('cleanup failed')
      }
    }
    const vm = trackVM(new VM([new Recorder('a', log), new Broken(), new Recorder('b', log)], { onError, onDispose }))
    await vm.initialize()
    log.length = 0
    await vm.dispose()
    expect(log).toEqual(['dispose b', 'dispose a', 'onDispose'])
    expect(onError).toHaveBeenCalledTimes(1)
    expect(onError.mock.calls[0]?.[0].message).toMatch(/Broken\.dispose\(\) threw: cleanup failed/)
  })

  it('awaits async dispose hooks before onDispose, and does not need super.dispose()', async () => {
    const onDispose = vi.fn()
    let done = false
    class Slow extends VMLibrary {
      override async dispose() {
        await sleep(20)
        done = true
      }
    }
    const vm = await createTestVM([new Slow()], { onDispose })
    const disposing = vm.dispose()
    expect(vm.isDisposed).toBe(true)
    expect(onDispose).not.toHaveBeenCalled()
    await disposing
    expect(done).toBe(true)
    expect(onDispose).toHaveBeenCalledTimes(1)
  })

  it('rejects one library instance in two VMs at initialize()', async () => {
    const shared = new Recorder('shared', [])
    await createTestVM([shared])
    const second = trackVM(new VM([shared]))
    await expect(second.initialize()).rejects.toBeInstanceOf(VMLibraryConflictError)
  })

  it('lets a library be reused once its VM is disposed', async () => {
    const lib = new Recorder('reused', [])
    const first = await createTestVM([lib])
    await first.dispose()
    const second = await createTestVM([lib])
    expect(await second.run('return order.join("")')).toBe('reused')
  })

  it('rejects two libraries defining the same reference, naming both', async () => {
    class One extends VMLibrary {
      override getReferences() {
        return { shared: () => 1 }
      }
    }
    class Two extends VMLibrary {
      override getReferences() {
        return { shared: () => 2 }
      }
    }
    const vm = trackVM(new VM([new One(), new Two()]))
    const error = await rejectionOf(vm.initialize())
    expect(error).toBeInstanceOf(VMLibraryConflictError)
    expect(error.message).toMatch(/One and Two both define the VM global 'shared'/)
    expect(vm.isDisposed).toBe(true)
  })

  it('rejects a library whose VM code redefines another library\'s global', async () => {
    class Owner extends VMLibrary {
      override getVmCode() {
        return 'globalThis.helper = () => 1'
      }
    }
    class Intruder extends VMLibrary {
      override getVmCode() {
        return 'globalThis.helper = () => 2'
      }
    }
    const vm = trackVM(new VM([new Owner(), new Intruder()]))
    await expect(vm.initialize()).rejects.toThrow(/Owner and Intruder both define the VM global 'helper'/)
  })

  // Core scans every global after a library's code only where a later library's code follows;
  // after the last one it looks at owned globals. Each position must still catch a collision.
  it.each([
    ['first and last of three', ['globalThis.helper = 1', 'globalThis.other = 2', 'globalThis.helper = 3'], /L0 and L2 both define the VM global 'helper'/],
    ['first and second of three', ['globalThis.helper = 1', 'globalThis.helper = 2', 'globalThis.other = 3'], /L0 and L1 both define the VM global 'helper'/],
    ['two that replace one intrinsic', ['globalThis.console = {}', 'globalThis.JSON = {}', 'globalThis.console = {}'], /L0 and L2 both define the VM global 'console'/],
    ['code replacing a reference of a later library', ['globalThis.ref1 = "x"', '', ''], /L1 and L0 both define the VM global 'ref1'/],
    ['the only code replacing another library\'s reference', ['', 'globalThis.ref0 = "x"', ''], /L0 and L1 both define the VM global 'ref0'/],
    ['the last code, after deleting a global it does not own', ['globalThis.mine = 1', 'delete globalThis.ref2; globalThis.ref0 = "x"', ''], /L0 and L1 both define the VM global 'ref0'/],
  ])('detects libraries defining one global in VM code: %s', async (_, codes, message) => {
    const libraries = codes.map((code, index) => {
      const Named = { [`L${index}`]: class extends VMLibrary {
        override getReferences() {
          return { [`ref${index}`]: index }
        }
        override getVmCode() {
          return code
        }
      } }[`L${index}`] as new () => VMLibrary
      return new Named()
    })
    const vm = trackVM(new VM(libraries))
    const error = await rejectionOf(vm.initialize())
    expect(error).toBeInstanceOf(VMLibraryConflictError)
    expect(error.message).toMatch(message)
  })

  // The check runs once per composition (libraries, reference names and primitive values, VM
  // code); later VMs of that composition reuse its result. Code that defines different globals on
  // the same inputs (here: a host function counting calls) is the case it cannot see.
  describe('checks each composition of libraries once', () => {
    const build = (limit: () => unknown, tag: string) => {
      let created = 0
      const references = () => ({ [`__count_${tag}`]: () => ++created, [`__limit_${tag}`]: limit() })
      return () => trackVM(new VM([codeLibrary('Counter', `if (globalThis.__count_${tag}() > 1) globalThis.clash_${tag} = 1`, references), codeLibrary('Fixed', `globalThis.clash_${tag} = 2`)]))
    }

    it('reuses the result for a later VM of the same composition', async () => {
      const next = build(() => 5, 'same')
      await next().initialize()
      await expect(next().initialize()).resolves.toBeUndefined()
    })

    it('checks again when a primitive reference value differs', async () => {
      let limit = 1
      const next = build(() => limit, 'values')
      await next().initialize()
      limit = 2
      await expect(next().initialize()).rejects.toThrow(/Counter and Fixed both define the VM global 'clash_values'/)
    })

    it('checks every VM of a composition with object data references', async () => {
      const next = build(() => ({ max: 5 }), 'objects')
      await next().initialize()
      await expect(next().initialize()).rejects.toThrow(/Counter and Fixed both define the VM global 'clash_objects'/)
    })

    it('checks again after a VM of the composition failed the check', async () => {
      for (let i = 0; i < 2; i++) {
        const vm = trackVM(new VM([codeLibrary('Owner', 'globalThis.twice = 1'), codeLibrary('Again', 'globalThis.twice = 2')]))
        await expect(vm.initialize()).rejects.toBeInstanceOf(VMLibraryConflictError)
      }
    })
  })

  it('lets three libraries with VM code define distinct globals and delete their own references', async () => {
    const libraries = ['a', 'b', 'c'].map((name) => {
      const Named = { [name]: class extends VMLibrary {
        override getReferences() {
          return { [`__${name}_secret`]: name }
        }
        override getVmCode() {
          return `globalThis.${name} = globalThis.__${name}_secret + '!'; delete globalThis.__${name}_secret`
        }
      } }[name] as new () => VMLibrary
      return new Named()
    })
    const vm = await createTestVM(libraries)
    expect(await vm.run('return [a, b, c, typeof __a_secret]')).toEqual(['a!', 'b!', 'c!', 'undefined'])
  })

  it('lets libraries replace intrinsics nobody owns', async () => {
    class Patch extends VMLibrary {
      override getVmCode() {
        return 'globalThis.console = { log() {} }'
      }
    }
    const vm = await createTestVM([new Patch()])
    expect(await vm.run('return typeof console.log')).toBe('function')
  })

  it('fails initialize() with VMScriptError when library VM code throws, and disposes the VM', async () => {
    class Bad extends VMLibrary {
      override getVmCode() {
        return 'throw new Error("bad library")'
      }
    }
    const vm = trackVM(new VM([new Bad()]))
    const error = await rejectionOf(vm.initialize())
    expect(error).toBeInstanceOf(VMScriptError)
    expect(error.message).toMatch(/Bad\.getVmCode\(\) failed in the VM: bad library/)
    expect(vm.isDisposed).toBe(true)
  })

  it('fails initialize() with VMScriptError naming the library whose VM code does not compile, the first such in order', async () => {
    const vm = trackVM(new VM([codeLibrary('Fine', 'globalThis.fine = 1'), codeLibrary('Broken', 'globalThis.x = ('), codeLibrary('AlsoBroken', 'let let = 1')]))
    const error = await rejectionOf(vm.initialize())
    expect(error).toBeInstanceOf(VMScriptError)
    expect(error.message).toMatch(/^Broken\.getVmCode\(\) failed in the VM: /)
    expect(error.vmName).toBe('SyntaxError')
    expect(vm.isDisposed).toBe(true)
  })

  it('fails initialize() when a hook throws, disposing what was attached', async () => {
    const log: string[] = []
    class Failing extends VMLibrary {
      override start() {
        throw new Error('no start')
      }
    }
    const vm = trackVM(new VM([new Recorder('a', log), new Failing()]))
    await expect(vm.initialize()).rejects.toThrow(/no start/)
    expect(log).toContain('dispose a')
  })

  it('wires this.onError to the VM onError', async () => {
    const onError = vi.fn()
    class Reporter extends VMLibrary {
      override getReferences() {
        return {
          report: () => {
            this.onError?.(new Error('reported'))
            return null
          },
        }
      }
    }
    const vm = await createTestVM([new Reporter()], { onError })
    await vm.run('report()')
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'reported' }))
  })

  it('gives the library its VM as this.vm', async () => {
    let seen: VM | undefined
    class Looker extends VMLibrary {
      override start() {
        seen = this.vm
      }
    }
    const vm = await createTestVM([new Looker()])
    expect(seen).toBe(vm)
    expect(() => new Looker().vm).toThrow(/not attached/)
  })
})

describe('VM functions (__vmm_expose, getVmFunction)', () => {
  class Exposer extends VMLibrary {
    override getVmCode() {
      return `__vmm_expose('t.args', (...args) => args)
        __vmm_expose('t.later', async (x) => { await null; return x * 2 })
        __vmm_expose('t.throws', () => { throw new RangeError('no') })`
    }
  }

  it('calls a registered VM function with exactly the arguments given, sync or async', async () => {
    const vm = await createTestVM([new Exposer()])
    expect(await vm.getVmFunction('t.args')()).toEqual([])
    expect(await vm.getVmFunction('t.args')(1, undefined, { a: [2] })).toStrictEqual([1, undefined, { a: [2] }])
    expect(await vm.getVmFunction('t.later')(21)).toBe(42)
    await expect(vm.getVmFunction('t.throws')()).rejects.toMatchObject({ name: 'VMScriptError', vmName: 'RangeError', message: expect.stringContaining('no') })
  })

  it('rejects a name nobody registered, and calls after dispose, with typed errors', async () => {
    const vm = await createTestVM([new Exposer()])
    await expect(vm.getVmFunction('t.none')()).rejects.toMatchObject({ name: 'VMInvalidArgumentError' })
    expect(await vm.run('return typeof __vmm_expose')).toBe('undefined')
    const later = vm.getVmFunction('t.args')
    await vm.dispose()
    await expect(later(1)).rejects.toMatchObject({ name: 'VMDisposedError' })
  })
})

describe('capabilities', () => {
  interface Greeter {
    greet(name: string): string
  }
  const Greeter = defineCapability<Greeter>('test/greeter')

  it('lets one library find what another provides, by key', async () => {
    let greeting = ''
    class Provider extends VMLibrary {
      override attach(vm: VM) {
        vm.provide(Greeter, { greet: (name) => `hello ${name}` })
      }
    }
    class Consumer extends VMLibrary {
      override start() {
        greeting = this.vm.need(defineCapability<Greeter>('test/greeter')).greet('ada')
      }
    }
    await createTestVM([new Consumer(), new Provider()])
    expect(greeting).toBe('hello ada')
  })

  it('throws VMCapabilityMissingError from need() and undefined from find() when absent', async () => {
    const vm = await createTestVM()
    expect(vm.find(Greeter)).toBeUndefined()
    expect(() => vm.need(Greeter)).toThrow(VMCapabilityMissingError)
  })

  it('rejects two providers of one capability', async () => {
    class Provider extends VMLibrary {
      override attach(vm: VM) {
        vm.provide(Greeter, { greet: () => '' })
      }
    }
    const vm = trackVM(new VM([new Provider(), new Provider()]))
    await expect(vm.initialize()).rejects.toBeInstanceOf(VMLibraryConflictError)
  })
})

describe('host functions', () => {
  it('calls plain functions synchronously and async functions as promises', async () => {
    class Lib extends VMLibrary {
      override getReferences() {
        return {
          syncAdd: (a: number, b: number) => a + b,
          asyncAdd: async (a: number, b: number) => a + b,
          promiseAdd: (a: number, b: number) => Promise.resolve(a + b),
        }
      }
    }
    const vm = await createTestVM([new Lib()])
    expect(await vm.run('const p = asyncAdd(1, 2); return [syncAdd(1, 2), p instanceof Promise, await p, await promiseAdd(2, 2)]')).toEqual([3, true, 3, 4])
  })

  it('turns host throws into VM errors with name, message and code but no host stack', async () => {
    class Lib extends VMLibrary {
      override getReferences() {
        return {
          failSync: () => {
            throw Object.assign(new TypeError('sync bad'), { code: 'E_SYNC' })
          },
          failAsync: async () => {
            throw new RangeError('async bad')
          },
        }
      }
    }
    const vm = await createTestVM([new Lib()])
    const result = await vm.run(`
      const out = []
      try { failSync() } catch (e) { out.push([e instanceof TypeError, e.message, e.code, /node_modules|VM\\.ts|\\.test\\.ts/.test(e.stack)]) }
      try { await failAsync() } catch (e) { out.push([e instanceof RangeError, e.message, e.code, /node_modules|VM\\.ts|\\.test\\.ts/.test(e.stack)]) }
      return out`)
    expect(result).toEqual([
      [true, 'sync bad', 'E_SYNC', false],
      [true, 'async bad', undefined, false],
    ])
  })

  it('supports the four explicit modes', async () => {
    const ignoredCalls: unknown[] = []
    class Lib extends VMLibrary {
      override getReferences() {
        return {
          s: hostFunction((x: number) => x + 1, 'sync'),
          a: hostFunction((x: number) => x + 2, 'async'),
          b: hostFunction(async (x: number) => {
            await sleep(5)
            return x + 3
          }, 'blocking'),
          i: hostFunction((x: number) => {
            ignoredCalls.push(x)
            return 'dropped'
          }, 'ignored'),
        }
      }
    }
    const vm = await createTestVM([new Lib()])
    expect(await vm.run('return [s(1), await a(1), b(1), i(9)]')).toEqual([2, 3, 4, undefined])
    await waitFor(() => ignoredCalls.length === 1)
    expect(ignoredCalls).toEqual([9])
    // Like built-ins: named after their global, not constructors, no prototype.
    expect(await vm.run('return [s, a, b, i].map((f) => { let constructs = true; try { new f(1) } catch { constructs = false } return [f.name, constructs, f.prototype] })')).toEqual([
      ['s', false, undefined],
      ['a', false, undefined],
      ['b', false, undefined],
      ['i', false, undefined],
    ])
    expect(ignoredCalls).toEqual([9])
  })

  it('copies object arguments and results of blocking host functions, and rebuilds their errors', async () => {
    const seen: unknown[] = []
    class Lib extends VMLibrary {
      override getReferences() {
        return {
          merge: hostFunction(async (a: { x: number }, b: number[]) => {
            seen.push(a, b)
            return { sum: a.x + b.reduce((s, n) => s + n, 0), at: new Date(0) }
          }, 'blocking'),
          refuse: hostFunction(async () => {
            throw Object.assign(new TypeError('blocked no'), { code: 'E_BLOCKED' })
          }, 'blocking'),
          giveFunction: hostFunction(async () => ({ fn: () => 1 }), 'blocking'),
        }
      }
    }
    const vm = await createTestVM([new Lib()])
    expect(
      await vm.run(`
        const arg = { x: 1 }
        const result = merge(arg, [2, 3])
        const out = [result.sum, result.at instanceof Date]
        try { refuse() } catch (e) { out.push([e instanceof TypeError, e.message, e.code, /VM\.ts|node_modules/.test(e.stack)]) }
        try { giveFunction() } catch (e) { out.push([e.name, e.code]) }
        try { merge({ f() {} }, []) } catch (e) { out.push(e.code) }
        return out`),
    ).toEqual([6, true, [true, 'blocked no', 'E_BLOCKED', false], ['VMTransferError', 'VM_ERR_TRANSFER'], 'VM_ERR_TRANSFER'])
    expect(seen).toEqual([{ x: 1 }, [2, 3]])
  })

  it('reports errors of ignored host functions to onError', async () => {
    const onError = vi.fn()
    class Lib extends VMLibrary {
      override getReferences() {
        return {
          fire: hostFunction(() => {
            throw new Error('ignored failure')
          }, 'ignored'),
        }
      }
    }
    const vm = await createTestVM([new Lib()], { onError })
    await vm.run('fire()')
    await waitFor(() => onError.mock.calls.length === 1)
    expect(onError.mock.calls[0]?.[0].message).toBe('ignored failure')
  })

  it('rejects non-transferable VM arguments with a VM-side VMTransferError naming the path', async () => {
    const calls: unknown[] = []
    class Lib extends VMLibrary {
      override getReferences() {
        return { take: (x: unknown) => calls.push(x), takeAsync: async (x: unknown) => calls.push(x) }
      }
    }
    const vm = await createTestVM([new Lib()])
    const result = await vm.run(`
      const out = []
      try { take({ ok: 1, f() {} }) } catch (e) { out.push([e.name, e.code, e.message]) }
      try { await takeAsync([Symbol('s')]) } catch (e) { out.push([e.name, e.code, e.message]) }
      return out`)
    expect(result).toEqual([
      ['VMTransferError', 'VM_ERR_TRANSFER', expect.stringContaining('take arguments[0].f')],
      ['VMTransferError', 'VM_ERR_TRANSFER', expect.stringContaining('takeAsync arguments[0][0]')],
    ])
    expect(calls).toEqual([])
  })

  it('turns a non-transferable host result into a VM error instead of crashing', async () => {
    class Lib extends VMLibrary {
      override getReferences() {
        return { give: async () => ({ fn: () => 1 }), giveSync: () => ({ fn: () => 1 }) }
      }
    }
    const vm = await createTestVM([new Lib()])
    const result = await vm.run(`
      const out = []
      try { await give() } catch (e) { out.push([e.name, e.message]) }
      try { giveSync() } catch (e) { out.push([e.name, e.message]) }
      return out`)
    expect(result).toEqual([
      ['VMTransferError', expect.stringContaining('give() result.fn')],
      ['VMTransferError', expect.stringContaining('giveSync() returned a value that cannot be copied')],
    ])
  })

  it('answers blocking host functions that return plain values or throw synchronously the same way', async () => {
    class Lib extends VMLibrary {
      override getReferences() {
        return {
          plus: hostFunction((a: number, b: number) => a + b, 'blocking'),
          shape: hostFunction(() => ({ list: [1, 2], bytes: Buffer.from('hi') }), 'blocking'),
          refuse: hostFunction(() => {
            throw Object.assign(new RangeError('sync no'), { code: 'E_SYNC' })
          }, 'blocking'),
          giveSymbol: hostFunction(() => ({ s: Symbol('x') }), 'blocking'),
        }
      }
    }
    const vm = await createTestVM([new Lib()])
    expect(
      await vm.run(`
        const out = [plus(2, 3)]
        const shape_ = shape()
        out.push(shape_.list, shape_.bytes.length, shape_.bytes.buffer.byteLength)
        try { refuse() } catch (e) { out.push([e instanceof RangeError, e.message, e.code]) }
        try { giveSymbol() } catch (e) { out.push([e.name, e.code]) }
        return out`),
    ).toEqual([5, [1, 2], 2, 2, [true, 'sync no', 'E_SYNC'], ['VMTransferError', 'VM_ERR_TRANSFER']])
  })

  it('rejects blocking calls from library setup code with a clear error', async () => {
    class Lib extends VMLibrary {
      override getReferences() {
        return { wait: hostFunction(async () => 1, 'blocking') }
      }
      override getVmCode() {
        return 'wait()'
      }
    }
    const vm = trackVM(new VM([new Lib()]))
    await expect(vm.initialize()).rejects.toThrow(/only works while run\(\)/)
  })

  it('copies values, not live host objects', async () => {
    const host = { count: 1 }
    class Lib extends VMLibrary {
      override getReferences() {
        return { getHost: () => host }
      }
    }
    const vm = await createTestVM([new Lib()])
    await vm.run('getHost().count = 99')
    expect(host.count).toBe(1)
    expect(await vm.run('return getHost().constructor === Object && Object.getPrototypeOf(getHost()) === Object.prototype')).toBe(true)
  })
})

describe('custom libraries from the reference README', () => {
  class CustomMathLibrary extends VMLibrary {
    override getReferences() {
      return {
        __advancedMath: (operation: string, ...args: number[]) => {
          try {
            switch (operation) {
              case 'fibonacci':
                return this.fibonacci(args[0] ?? 0)
              case 'factorial':
                return this.factorial(args[0] ?? 0)
              default:
                throw new Error(`Unknown operation: ${operation}`)
            }
          } catch (error) {
            this.onError?.(error as Error)
            return null
          }
        },
      }
    }
    override getVmCode(): string {
      return `
        global.fibonacci = (n) => __advancedMath('fibonacci', n);
        global.factorial = (n) => __advancedMath('factorial', n);
        global.Math.fibonacci = (n) => global.__advancedMath('fibonacci', n);
      `
    }
    override dispose(): void {}
    private fibonacci(n: number): number {
      return n <= 1 ? n : this.fibonacci(n - 1) + this.fibonacci(n - 2)
    }
    private factorial(n: number): number {
      return n <= 1 ? 1 : n * this.factorial(n - 1)
    }
  }

  it('runs the math library: sync references, VM code, this.onError', async () => {
    const onError = vi.fn()
    const vm = await createTestVM([new CustomMathLibrary()], { onError })
    expect(await vm.run('return [fibonacci(10), factorial(5), Math.fibonacci(7), __advancedMath("nope")]')).toEqual([55, 120, 13, null])
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'Unknown operation: nope' }))
  })
})

/** A library whose class is named `name`, with `code` as its VM code and the references `references()` returns. */
function codeLibrary(name: string, code: string, references: () => Record<string, unknown> = () => ({})): VMLibrary {
  const Named = { [name]: class extends VMLibrary {
    override getReferences() {
      return references()
    }
    override getVmCode() {
      return code
    }
  } }[name] as new () => VMLibrary
  return new Named()
}
