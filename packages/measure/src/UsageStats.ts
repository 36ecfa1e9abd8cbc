/** One VM's figures, as `getUsageStats()` reports them. */
export interface UsageStats {
  /** Bytes of the VM's V8 heap in use. */
  usedMemory: number
  /** The heap's size limit in bytes (a little above the VM's `memoryLimit`). */
  totalMemory: number
  /** `usedMemory / totalMemory × 100`. */
  memoryUsedPercentage: number
  /** Last ping round trip in ms, or how long the pending ping has waited when that is longer; 0 before the first ping. */
  responseTime: number
  /** CPU time the VM has used, ms. */
  cpuTime: number
  /** Wall time the VM has spent running code, ms. */
  wallTime: number
}

/** What a VM that is not running reports. */
export function zeroUsageStats(): UsageStats {
  return { usedMemory: 0, totalMemory: 0, memoryUsedPercentage: 0, responseTime: 0, cpuTime: 0, wallTime: 0 }
}
