// The reference README's "Advanced Thread Communication". Honest changes: the worker uses
// setTimeout, so the threads get a VMTimingLibrary (the original gives them none); the main VM
// gets one for its cleanup timer; main() returns its results so the host can await them; the
// item count is a parameter (50 in the reference; the tests use fewer).
import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { VMThreadLibrary } from '@vm-machine/threads'
import { VMTimingLibrary } from '@vm-machine/timing'
import { isMain } from './isMain.js'

export async function advancedThreadCommunication({ itemCount = 50 } = {}) {
  const completions: unknown[] = []
  const threadLib = new VMThreadLibrary({
    getThreadLibraries: (threadId) => [
      new VMConsoleLibrary(),
      new VMTimingLibrary(),
      new VMIpcRxLibrary({
        // Host functions available to threads
        getDatabaseConnection: async () => ({ connected: true }),
        logMessage: async (message: string) => console.log(`Thread ${threadId}:`, message),
        notifyComplete: async (result: unknown) => {
          console.log(`Thread ${threadId} completed:`, result)
          completions.push({ threadId, result })
          return { acknowledged: true }
        },
      }),
    ],
  })
  const codebaseLib = new VMCodeBaseLibrary()
  const fs = codebaseLib.getFs()

  // Complex worker thread
  await fs.promises.writeFile('/data-processor.js', `
    let processingCount = 0;
    exposeCallables({
      startProcessing: async (config) => {
        const db = await host.getDatabaseConnection();
        await host.logMessage('Starting data processing with config: ' + JSON.stringify(config));
        const results = [];
        for (let i = 0; i < config.itemCount; i++) {
          processingCount++;
          // Simulate work
          await new Promise(resolve => setTimeout(resolve, config.delay || 100));
          results.push({ id: i, processed: true, timestamp: Date.now(), threadCount: processingCount });
          // Progress updates
          if (i % 10 === 0) {
            await host.logMessage(\`Progress: \${i}/\${config.itemCount}\`);
          }
        }
        await host.notifyComplete({ totalProcessed: results.length, connected: db.connected });
        return results;
      },
      getStatus: async () => ({ processingCount, isAlive: true, thread: global.isThread })
    });
  `)

  // Main coordination logic
  await fs.promises.writeFile('/coordinator.js', `
    const workers = [];
    const results = [];

    async function spawnWorkers(count = 3) {
      for (let i = 0; i < count; i++) {
        const worker = await startThread('/data-processor');
        workers.push(worker);
        console.log(\`Spawned worker \${i + 1}/\${count}: \${worker.threadId}\`);
      }
    }

    async function distributeWork(itemCount) {
      const tasks = workers.map((worker, index) =>
        worker.startProcessing({ itemCount, delay: 50 + (index * 20), workerId: index })
      );
      const workerResults = await Promise.all(tasks);
      results.push(...workerResults.flat());
      console.log(\`All workers completed. Total items processed: \${results.length}\`);
    }

    async function monitorWorkers() {
      const statuses = await Promise.all(workers.map(worker => worker.getStatus()));
      console.log('Worker statuses:', statuses);
      return statuses;
    }

    async function cleanup() {
      console.log('Cleaning up workers...');
      workers.forEach(worker => worker.dispose());
    }

    async function main(itemCount) {
      await spawnWorkers(3);
      await distributeWork(itemCount);
      const statuses = await monitorWorkers();
      setTimeout(cleanup, 1000);
      return { processed: results.length, statuses };
    }

    module.exports = { main };
  `)

  const ipc = new VMIpcLibrary({ timeout: 0 })
  const vm = new VM([new VMConsoleLibrary(), codebaseLib, threadLib, new VMTimingLibrary(), ipc])
  codebaseLib.setEntryFile('/coordinator.js')
  await vm.initialize()
  await vm.run()
  const result = await ipc.callIpc('main', [itemCount])
  await new Promise((resolve) => setTimeout(resolve, 1200)) // the coordinator's cleanup timer
  const threadsLeft = threadLib.getThreads().size
  vm.dispose()
  return { result, completions, threadsLeft }
}

if (isMain(import.meta.url)) console.log(await advancedThreadCommunication())
