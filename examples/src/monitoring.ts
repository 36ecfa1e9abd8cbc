// The reference README's VMMeasureLibrary "Usage" and "Advanced Monitoring with
// VMMeasureMasterLibrary". Honest changes: the monitoring interval is cleared; the master example
// initializes vm1 and vm2 (the original never does, so it would report zeros) and disposes them.
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM } from '@vm-machine/core'
import { VMMeasureLibrary, VMMeasureMasterLibrary } from '@vm-machine/measure'
import { isMain } from './isMain.js'

export async function measureUsage() {
  const measureLib = new VMMeasureLibrary({
    responseTimeLimit: 1000, // Panic stop if response time > 1000ms
  })
  const vm = new VM([measureLib, new VMConsoleLibrary()])
  await vm.initialize()

  // Monitor VM performance
  const monitor = setInterval(async () => {
    measureLib.ping() // Send ping to measure response time
    const stats = await measureLib.getUsageStats()
    console.log('VM Stats:', {
      memoryUsed: `${(stats.usedMemory / 1024 / 1024).toFixed(2)} MB`,
      memoryPercentage: `${stats.memoryUsedPercentage.toFixed(2)}%`,
      responseTime: `${stats.responseTime}ms`,
    })
  }, 1000)

  const code = `
    // VM code can also trigger pings
    global.__ping(); // Manually trigger ping from VM

    // Simulate work
    const data = new Array(1000000).fill(0).map((_, i) => i * i);

    return { processed: data.length };
  `
  try {
    const result = await vm.run(code)
    measureLib.ping()
    await new Promise((resolve) => setTimeout(resolve, 50))
    const stats = await measureLib.getUsageStats()
    return { result, stats }
  } finally {
    clearInterval(monitor)
    vm.dispose()
  }
}

export async function masterMonitoring() {
  const masterLib = new VMMeasureMasterLibrary({
    responseTimeLimit: 2000,
  })

  // Create multiple monitored VMs
  const vm1Lib = masterLib.getNewLibrary('worker-1')
  const vm2Lib = masterLib.getNewLibrary('worker-2')

  const vm1 = new VM([vm1Lib], { memoryLimit: 32 })
  const vm2 = new VM([vm2Lib], { memoryLimit: 64 })
  await Promise.all([vm1.initialize(), vm2.initialize()])
  await vm2.run('globalThis.keep = new Array(200000).fill("x")')
  await masterLib.pingAll()

  // Monitor all VMs together
  const overallStats = await masterLib.getOverallUsageStats()
  console.log('Overall VM Performance:', { totalMemory: overallStats.usedMemory, individual: overallStats.nested })

  const combinedStats = await masterLib.getCombinedStats()
  console.log('Combined Stats:', {
    totalMemoryUsed: combinedStats.usedMemory,
    averageResponseTime: combinedStats.responseAverageTime,
    slowestResponseTime: combinedStats.responseTime,
    managedVMs: combinedStats.managedCount,
  })
  vm1.dispose()
  vm2.dispose()
  const afterDispose = await masterLib.getCombinedStats()
  return { overallStats, combinedStats, afterDispose }
}

if (isMain(import.meta.url)) {
  console.log(await measureUsage())
  console.log(await masterMonitoring())
}
