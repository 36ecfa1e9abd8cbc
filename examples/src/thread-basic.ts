// The reference README's VMThreadLibrary "Basic Usage". The original's main() is fire-and-forget
// and disposes the worker from a 5 s timer; here main returns what it computed so the caller can
// await it, and the worker is disposed right after the calls (the host also waits for that).
import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { VMThreadLibrary } from '@vm-machine/threads'
import { VMTimingLibrary } from '@vm-machine/timing'
import { isMain } from './isMain.js'

export async function threadBasicUsage() {
  const codebaseLib = new VMCodeBaseLibrary()
  const fs = codebaseLib.getFs()

  // Create thread file
  await fs.promises.writeFile('/worker.js', `
    console.log('Worker thread started!');

    // Expose functions that main VM can call
    exposeCallables({
      processData: async (data) => {
        console.log('Processing data in thread:', data);
        // Thread can call host functions
        const result = await host.saveToDatabase({
          threadId: global.isThread,
          processedData: data.map(x => x * 2)
        });
        return { success: true, result };
      },

      heavyComputation: async (numbers) => {
        // CPU-intensive work in isolated thread
        return numbers.reduce((sum, n) => sum + Math.sqrt(n * n), 0);
      }
    });
  `)

  // Create main application
  await fs.promises.writeFile('/main.js', `
    console.log('Main application started');

    async function main() {
      // Start a worker thread
      const worker = await startThread('/worker');
      console.log('Worker thread ID:', worker.threadId);

      // Call thread functions
      const result1 = await worker.processData([1, 2, 3, 4, 5]);
      console.log('Processing result:', result1);

      const result2 = await worker.heavyComputation([100, 200, 300]);
      console.log('Computation result:', result2);

      // Clean up thread
      console.log('Disposing worker thread');
      worker.dispose();
      return { threadId: worker.threadId, result1, result2, disposed: worker.isDisposed };
    }

    module.exports = { main };
  `)

  const threadLib = new VMThreadLibrary({
    threadMemoryLimit: 32, // 32MB per thread
    threadsCountLimit: 10, // Max 10 concurrent threads
    getThreadLibraries: (threadId) => [
      new VMConsoleLibrary((_level, ...args) => console.log(`[THREAD-${threadId}]`, ...args)),
      new VMTimingLibrary(),
    ],
  })

  const saved: unknown[] = []
  const ipc = new VMIpcLibrary()
  const vm = new VM([
    new VMConsoleLibrary(),
    codebaseLib,
    threadLib,
    ipc,
    new VMIpcRxLibrary({
      saveToDatabase: async (data: unknown) => {
        console.log('Host saving data:', data)
        saved.push(data)
        return { id: saved.length, saved: true }
      },
    }),
  ])

  codebaseLib.setEntryFile('/main.js')
  await vm.initialize()
  await vm.run()
  const result = await ipc.callIpc('main', [])
  vm.dispose()
  return { result, saved }
}

if (isMain(import.meta.url)) console.log(await threadBasicUsage())
