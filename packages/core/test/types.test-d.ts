// Checked by `tsc` (pnpm typecheck), not run: the public types keep their shapes.
import {
  type Capability,
  type HostFunctionMode,
  VM,
  VMError,
  VMLibrary,
  type VMOptions,
  VMScriptError,
  type VMReferences,
  defineCapability,
  hostFunction,
} from '@vm-machine/core'
import { expectTypeOf } from 'vitest'

expectTypeOf<VMOptions['memoryLimit']>().toEqualTypeOf<number | undefined>()
expectTypeOf<NonNullable<VMOptions['onCatastrophicError']>>().parameters.toEqualTypeOf<[string, VMError]>()
expectTypeOf<NonNullable<VMOptions['onError']>>().parameters.toEqualTypeOf<[Error]>()
expectTypeOf(VM.prototype.run).returns.toEqualTypeOf<Promise<unknown>>()
expectTypeOf(VM.prototype.dispose).returns.toEqualTypeOf<Promise<void>>()
expectTypeOf(VM.prototype.call).parameter(0).toEqualTypeOf<string>()
expectTypeOf<HostFunctionMode>().toEqualTypeOf<'sync' | 'async' | 'blocking' | 'ignored'>()
expectTypeOf(hostFunction((x: number) => x * 2, 'sync').fn).toEqualTypeOf<(x: number) => number>()
expectTypeOf(defineCapability<{ greet(): string }>('x')).toEqualTypeOf<Capability<{ greet(): string }>>()
expectTypeOf<ReturnType<VMLibrary['getReferences']>>().toEqualTypeOf<VMReferences>()
expectTypeOf<VMScriptError['vmStack']>().toEqualTypeOf<string | undefined>()
expectTypeOf<VMScriptError>().toMatchTypeOf<VMError>()
