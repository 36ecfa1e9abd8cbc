// The reference README's "Complete Multi-Threading Example", with the scoped imports.
// Honest changes, each because the original cannot work as written:
// - it never calls main(): the main VM gets a VMIpcLibrary and the host calls main through it;
// - getSystemInfo reported 'simulated-memory-info': it now reports the real heap of every VM
//   from the measure master;
// - the "let it run" wait is a parameter (the tests shorten it).
import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { VMMeasureMasterLibrary } from '@vm-machine/measure'
import { VMThreadLibrary } from '@vm-machine/threads'
import { VMTimingLibrary } from '@vm-machine/timing'
import { isMain } from './isMain.js'

export async function runMultiThreadedApplication({ runFor = 10_000, monitorEvery = 3000 } = {}) {
  const codebaseLib = new VMCodeBaseLibrary({
    maxMemfsSize: 20 * 1024 * 1024, // 20MB
    maxFileCount: 2000,
  })

  const measureMaster = new VMMeasureMasterLibrary()
  const fs = codebaseLib.getFs()

  // Create worker thread for CPU-intensive tasks
  await fs.promises.writeFile(
    '/cpu-worker.js',
    `
    console.log('CPU Worker thread started');
    let taskCount = 0;
    exposeCallables({
      calculatePrimes: async (max) => {
        taskCount++;
        console.log(\`Starting prime calculation up to \${max} (task #\${taskCount})\`);
        const primes = [];
        for (let num = 2; num <= max; num++) {
          let isPrime = true;
          for (let i = 2; i <= Math.sqrt(num); i++) {
            if (num % i === 0) { isPrime = false; break; }
          }
          if (isPrime) primes.push(num);
          // Report progress for large calculations
          if (num % 1000 === 0) {
            await host.reportProgress(\`Checked \${num}/\${max} numbers\`);
          }
        }
        await host.logResult(\`Found \${primes.length} primes up to \${max}\`);
        return { primes: primes.slice(-10), count: primes.length, taskId: taskCount };
      },
      getWorkerStats: async () => ({ taskCount, workerId: 'cpu-worker', isAlive: true })
    });
  `,
  )

  // Create I/O worker thread for database operations
  await fs.promises.writeFile(
    '/io-worker.js',
    `
    console.log('I/O Worker thread started');
    let operationCount = 0;
    exposeCallables({
      processDataBatch: async (batch) => {
        operationCount++;
        console.log(\`Processing batch of \${batch.length} items (op #\${operationCount})\`);
        const results = [];
        for (const item of batch) {
          // Simulate database operation
          await new Promise(resolve => setTimeout(resolve, 50));
          const processed = { ...item, processed: true, processedAt: new Date().toISOString(), workerId: 'io-worker', operationId: operationCount };
          // Save to host database
          const saved = await host.saveItem(processed);
          results.push({ ...processed, savedId: saved.id });
        }
        return { results, totalProcessed: results.length };
      },
      getWorkerStats: async () => ({ operationCount, workerId: 'io-worker', isAlive: true })
    });
  `,
  )

  // Create main coordinator application
  await fs.promises.writeFile(
    '/coordinator.js',
    `
    console.log('Main coordinator started');
    let cpuWorker, ioWorker;

    async function initializeWorkers() {
      console.log('Initializing worker threads...');
      cpuWorker = await startThread('/cpu-worker');
      ioWorker = await startThread('/io-worker');
      console.log('Workers initialized:', { cpu: cpuWorker.threadId, io: ioWorker.threadId });
    }

    async function runParallelTasks() {
      console.log('Starting parallel task execution...');
      const primeTask = cpuWorker.calculatePrimes(10000);
      const batches = [
        [{ id: 1, data: 'batch1' }, { id: 2, data: 'batch1' }],
        [{ id: 3, data: 'batch2' }, { id: 4, data: 'batch2' }],
        [{ id: 5, data: 'batch3' }, { id: 6, data: 'batch3' }]
      ];
      const ioTasks = batches.map(batch => ioWorker.processDataBatch(batch));
      const [primeResult, ...ioResults] = await Promise.all([primeTask, ...ioTasks]);
      console.log('All tasks completed!');
      console.log('Prime calculation result:', { count: primeResult.count, lastPrimes: primeResult.primes });
      console.log('I/O processing results:', { totalBatches: ioResults.length, totalItems: ioResults.reduce((sum, r) => sum + r.totalProcessed, 0) });
      return { primeResult, ioResults };
    }

    async function monitorWorkers() {
      const [cpuStats, ioStats] = await Promise.all([cpuWorker.getWorkerStats(), ioWorker.getWorkerStats()]);
      console.log('Worker statistics:', { cpuStats, ioStats });
      return { cpuStats, ioStats };
    }

    async function cleanup() {
      console.log('Cleaning up workers...');
      if (cpuWorker && !cpuWorker.isDisposed) cpuWorker.dispose();
      if (ioWorker && !ioWorker.isDisposed) ioWorker.dispose();
      console.log('Cleanup complete');
    }

    async function main() {
      try {
        await initializeWorkers();
        const results = await runParallelTasks();
        const workerStats = await monitorWorkers();
        const systemInfo = await getSystemInfo();
        // Schedule cleanup
        setTimeout(cleanup, 2000);
        return { success: true, results, workerStats, systemInfo };
      } catch (error) {
        console.error('Error in main execution:', error);
        await cleanup();
        throw error;
      }
    }

    // Export the main function for external calling
    exposeCallables({ main });
  `,
  )

  const progress: string[] = []
  // Setup thread library with monitoring
  const threadLib = new VMThreadLibrary({
    threadMemoryLimit: 64, // 64MB per thread
    threadsCountLimit: 10,
    getThreadLibraries: (threadId) => [
      new VMConsoleLibrary((level, ...args) => console.log(`[THREAD-${threadId}]`, ...args)),
      new VMTimingLibrary({ limitCount: 20 }),
      measureMaster.getNewLibrary(`thread-${threadId}`),
      new VMIpcRxLibrary({
        reportProgress: async (message: string) => {
          progress.push(message)
          console.log(`[PROGRESS-${threadId}]`, message)
          return { acknowledged: true }
        },
        logResult: async (message: string) => {
          console.log(`[RESULT-${threadId}]`, message)
          return { logged: true }
        },
        saveItem: async (item: { id: number }) => {
          console.log(`[SAVE-${threadId}]`, 'Saving item:', item.id)
          return { id: Date.now() + Math.random(), saved: true, timestamp: new Date().toISOString() }
        },
      }),
    ],
  })

  const ipcTxLib = new VMIpcLibrary({ timeout: 60_000 })
  // Setup main VM with all capabilities
  const vm = new VM(
    [
      new VMConsoleLibrary((_level, ...args) => console.log('[MAIN]', ...args)),
      codebaseLib,
      threadLib,
      measureMaster,
      new VMTimingLibrary(),
      ipcTxLib,
      new VMIpcRxLibrary({
        getSystemInfo: async () => {
          const stats = await measureMaster.getOverallUsageStats()
          return { activeThreads: threadLib.getThreads().size, mainVmMemory: stats.nested.main?.usedMemory ?? 0, totalVmMemory: stats.usedMemory, timestamp: Date.now() }
        },
      }),
    ],
    {
      memoryLimit: 128, // 128MB for main VM
      onError: (error) => console.error('[MAIN-ERROR]', error),
      onCatastrophicError: (error) => {
        console.error('[CRITICAL-ERROR]', error)
        process.exit(1)
      },
    },
  )

  let monitorInterval: NodeJS.Timeout | undefined
  try {
    // Set entry point and initialize
    codebaseLib.setEntryFile('/coordinator.js')
    await vm.initialize()

    // Start performance monitoring
    const report = async () => {
      await measureMaster.pingAll()
      const stats = await measureMaster.getCombinedStats()
      console.log('[MONITOR]', 'System Performance:', {
        totalMemory: `${(stats.usedMemory / 1024 / 1024).toFixed(2)} MB`,
        memoryPercentage: `${stats.memoryUsedPercentage.toFixed(1)}%`,
        avgResponseTime: `${stats.responseAverageTime.toFixed(2)}ms`,
        maxResponseTime: `${stats.responseTime}ms`,
        activeInstances: stats.managedCount,
        activeThreads: threadLib.getThreads().size,
      })
      return stats
    }
    monitorInterval = setInterval(report, monitorEvery)

    // Run the application
    await vm.run() // This auto-executes coordinator.js
    const result = await ipcTxLib.callIpc('main', [])
    const combined = await report()

    // Let it run for a while to see the threading in action (the coordinator cleans up after 2 s)
    await new Promise((resolve) => setTimeout(resolve, runFor))
    console.log('[MAIN]', 'Application completed successfully')
    return { result, combined, progress, threadsLeft: threadLib.getThreads().size }
  } finally {
    clearInterval(monitorInterval)
    vm.dispose()
  }
}

if (isMain(import.meta.url)) {
  runMultiThreadedApplication()
    .then(() => console.log('Multi-threaded application finished'))
    .catch((error) => console.error('Application failed:', error))
}
