// The reference README's "Thread Lifecycle and Health Monitoring" with its error-prone worker.
// Honest changes: the worker waits with setTimeout, so threads get a VMTimingLibrary; the host's
// health-monitor interval is cleared at the end; the operation delay is a parameter (1000 ms in
// the reference).
import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM } from '@vm-machine/core'
import { VMMeasureLibrary } from '@vm-machine/measure'
import { VMThreadLibrary } from '@vm-machine/threads'
import { VMTimingLibrary } from '@vm-machine/timing'
import { isMain } from './isMain.js'

export async function threadHealth({ delay = 1000 } = {}) {
  // The VMThreadLibrary automatically monitors thread health
  const threadLib = new VMThreadLibrary({
    threadMemoryLimit: 64,
    threadsCountLimit: 5,
    getThreadLibraries: () => [
      new VMConsoleLibrary(),
      new VMTimingLibrary(),
      new VMMeasureLibrary({
        responseTimeLimit: 3000, // Kill thread if response > 3s
      }),
    ],
  })
  const codebaseLib = new VMCodeBaseLibrary()
  const fs = codebaseLib.getFs()

  // Monitor thread health
  const observations: string[] = []
  const monitor = setInterval(() => {
    const threads = threadLib.getThreads()
    console.log(`Active threads: ${threads.size}`)
    threads.forEach((thread, threadId) => {
      const line = thread.vm.isDisposed ? `Thread ${threadId} is disposed` : `Thread ${threadId} is running`
      observations.push(line)
      console.log(line)
    })
  }, Math.max(delay, 20))

  // Thread with error handling
  await fs.promises.writeFile('/error-prone-worker.js', `
    let operationCount = 0;
    exposeCallables({
      riskyOperation: async (shouldFail = false) => {
        operationCount++;
        if (shouldFail && operationCount > 3) {
          throw new Error('Simulated thread error');
        }
        // Simulate long-running operation
        await new Promise(resolve => setTimeout(resolve, ${delay}));
        return { success: true, operationCount, timestamp: Date.now() };
      }
    });
  `)

  const vm = new VM([new VMConsoleLibrary(), codebaseLib, threadLib])
  try {
    await vm.initialize()
    const outcomes = await vm.run(`
      const worker = await startThread('/error-prone-worker');
      const outcomes = [];
      for (let i = 0; i < 5; i++) {
        try { outcomes.push((await worker.riskyOperation(true)).operationCount) }
        catch (error) { outcomes.push(error.message) }
      }
      return { outcomes, alive: !worker.isDisposed };
    `)
    return { outcomes, observations }
  } finally {
    clearInterval(monitor)
    vm.dispose()
  }
}

if (isMain(import.meta.url)) console.log(await threadHealth())
