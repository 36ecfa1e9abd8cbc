import type { VMLibrary } from '@vm-machine/core'
import {
  type CombinedUsageStats,
  type OverallUsageStats,
  type UsageStats,
  VMMeasureLibrary,
  type VMMeasureLibraryOptions,
  VMMeasureMasterLibrary,
  type VMMeasureMasterLibraryOptions,
} from '@vm-machine/measure'
import { expectTypeOf } from 'vitest'

expectTypeOf(VMMeasureLibrary).constructorParameters.toEqualTypeOf<[options?: VMMeasureLibraryOptions, onDispose?: () => void]>()
expectTypeOf<VMMeasureLibraryOptions>().toEqualTypeOf<{ responseTimeLimit?: number }>()
expectTypeOf<VMMeasureMasterLibraryOptions>().toEqualTypeOf<{ responseTimeLimit?: number }>()
expectTypeOf<VMMeasureLibrary>().toMatchTypeOf<VMLibrary>()
expectTypeOf<VMMeasureMasterLibrary>().toMatchTypeOf<VMLibrary>()

const measure = new VMMeasureLibrary({ responseTimeLimit: 1000 })
expectTypeOf(measure.getUsageStats).returns.toEqualTypeOf<Promise<UsageStats>>()
expectTypeOf(measure.ping).returns.toEqualTypeOf<void>()
expectTypeOf(measure.getResponseTime).returns.toEqualTypeOf<number>()
expectTypeOf(measure.responseTimeLimit).toEqualTypeOf<number | undefined>()
expectTypeOf<UsageStats>().toEqualTypeOf<{
  usedMemory: number
  totalMemory: number
  memoryUsedPercentage: number
  responseTime: number
  cpuTime: number
  wallTime: number
}>()

const master = new VMMeasureMasterLibrary()
expectTypeOf(master.getNewLibrary).parameters.toEqualTypeOf<[id: string, options?: VMMeasureLibraryOptions]>()
expectTypeOf(master.getNewLibrary('a')).toEqualTypeOf<VMMeasureLibrary>()
expectTypeOf(master.pingAll).returns.toEqualTypeOf<Promise<void>>()
expectTypeOf(master.getCombinedStats).returns.toEqualTypeOf<Promise<CombinedUsageStats>>()
expectTypeOf<CombinedUsageStats>().toEqualTypeOf<{
  usedMemory: number
  memoryUsedPercentage: number
  responseAverageTime: number
  responseTime: number
  managedCount: number
}>()
expectTypeOf(master.getOverallUsageStats).returns.toEqualTypeOf<Promise<OverallUsageStats>>()
expectTypeOf<OverallUsageStats['nested']>().toEqualTypeOf<Record<string, UsageStats>>()
expectTypeOf<OverallUsageStats>().toMatchTypeOf<UsageStats & CombinedUsageStats>()
