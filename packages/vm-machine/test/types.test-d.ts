// Checked by `tsc` (pnpm typecheck), not run: every plugin's public types come through the umbrella.
import type * as codebase from '@vm-machine/codebase'
import type * as consoleLib from '@vm-machine/console'
import type * as ipc from '@vm-machine/ipc'
import type * as measure from '@vm-machine/measure'
import type * as threads from '@vm-machine/threads'
import type * as timing from '@vm-machine/timing'
import type * as umbrella from 'vm-machine'
import { expectTypeOf } from 'vitest'

expectTypeOf<umbrella.VMConsoleLevel>().toEqualTypeOf<consoleLib.VMConsoleLevel>()
expectTypeOf<umbrella.VMConsoleWriter>().toEqualTypeOf<consoleLib.VMConsoleWriter>()
expectTypeOf<umbrella.VMIpcCallables>().toEqualTypeOf<ipc.VMIpcCallables>()
expectTypeOf<umbrella.VMIpcLibraryOptions>().toEqualTypeOf<ipc.VMIpcLibraryOptions>()
expectTypeOf<umbrella.VMIpcRxLibraryOptions>().toEqualTypeOf<ipc.VMIpcRxLibraryOptions>()
expectTypeOf<umbrella.VMTimingLibraryOptions>().toEqualTypeOf<timing.VMTimingLibraryOptions>()
expectTypeOf<umbrella.VMCodeBaseModulesLibraryOptions>().toEqualTypeOf<codebase.VMCodeBaseModulesLibraryOptions>()
expectTypeOf<umbrella.BaseCodebaseModule>().toEqualTypeOf<codebase.BaseCodebaseModule>()
expectTypeOf<umbrella.ModuleResolver>().toEqualTypeOf<codebase.ModuleResolver>()
expectTypeOf<umbrella.FsOperation>().toEqualTypeOf<codebase.FsOperation>()
expectTypeOf<umbrella.IFs>().toEqualTypeOf<codebase.IFs>()
expectTypeOf<umbrella.VMMeasureLibraryOptions>().toEqualTypeOf<measure.VMMeasureLibraryOptions>()
expectTypeOf<umbrella.UsageStats>().toEqualTypeOf<measure.UsageStats>()
expectTypeOf<umbrella.CombinedUsageStats>().toEqualTypeOf<measure.CombinedUsageStats>()
expectTypeOf<umbrella.OverallUsageStats>().toEqualTypeOf<measure.OverallUsageStats>()
expectTypeOf<umbrella.VMMeasureMasterLibraryOptions>().toEqualTypeOf<measure.VMMeasureMasterLibraryOptions>()
expectTypeOf<umbrella.ThreadInfo>().toEqualTypeOf<threads.ThreadInfo>()
expectTypeOf<umbrella.VMThreadLibraryOptions>().toEqualTypeOf<threads.VMThreadLibraryOptions>()
