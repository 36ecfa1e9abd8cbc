// The reference README's "Thread pool pattern". Honest changes: the original pool calls
// worker.processData on /data-processor, which exposes no such function, and it can never reach
// "exhausted" (it checks pool.length after finding the pool empty); its ten parallel tasks would
// each start a thread. Here the worker exposes processData, the pool counts the workers it
// created, and a task waits for a free worker once maxPoolSize workers exist.
import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM } from '@vm-machine/core'
import { VMThreadLibrary } from '@vm-machine/threads'
import { isMain } from './isMain.js'

export async function threadPool() {
  const codebaseLib = new VMCodeBaseLibrary()
  const fs = codebaseLib.getFs()
  await fs.promises.writeFile('/pool-worker.js', `
    let handled = 0;
    exposeCallables({
      processData: async (data) => ({ data: String(data).toUpperCase(), worker: global.isThread, handled: ++handled })
    });
  `)
  await fs.promises.writeFile('/thread-pool.js', `
    const pool = [];
    const waiting = [];
    const maxPoolSize = 3;
    let created = 0;

    async function getWorker() {
      if (pool.length > 0) return pool.pop();
      if (created < maxPoolSize) {
        created++;
        return await startThread('/pool-worker');
      }
      return new Promise((resolve) => waiting.push(resolve));
    }

    function releaseWorker(worker) {
      if (worker.isDisposed) { created--; return; }
      const next = waiting.shift();
      if (next) next(worker);
      else pool.push(worker);
    }

    async function processWithPool(data) {
      const worker = await getWorker();
      try {
        const result = await worker.processData(data);
        releaseWorker(worker);
        return result;
      } catch (error) {
        worker.dispose(); // Don't return failed workers to pool
        releaseWorker(worker);
        throw error;
      }
    }

    // Process multiple items using thread pool (top-level await: this is an entry file)
    const tasks = Array.from({ length: 10 }, (_, i) => processWithPool(\`data-item-\${i}\`));
    const results = await Promise.all(tasks);
    console.log('Pool processing complete:', results.length);
    exposeCallables({ summary: () => ({ results, created }) });
    pool.forEach((worker) => worker.dispose());
  `)

  const threadLib = new VMThreadLibrary({ threadsCountLimit: 3, getThreadLibraries: () => [] })
  const vm = new VM([new VMConsoleLibrary(), codebaseLib, threadLib])
  codebaseLib.setEntryFile('/thread-pool.js')
  await vm.initialize()
  await vm.run()
  const summary = (await vm.call('summary')) as { results: Array<{ data: string; worker: string }>; created: number }
  vm.dispose()
  return summary
}

if (isMain(import.meta.url)) console.log(await threadPool())
