// The reference README's "Complete Example: JavaScript Project Runner", with the scoped imports.
// Honest changes: the monitor's interval is cleared in `finally`, and the stats line reads real
// heap figures of this VM (VMMeasureLibrary.getUsageStats).
import { VMCodeBaseLibrary } from '@vm-machine/codebase'
import { VMConsoleLibrary } from '@vm-machine/console'
import { VM } from '@vm-machine/core'
import { VMIpcLibrary, VMIpcRxLibrary } from '@vm-machine/ipc'
import { VMMeasureLibrary } from '@vm-machine/measure'
import { VMTimingLibrary } from '@vm-machine/timing'
import { isMain } from './isMain.js'

export async function runJavaScriptProject() {
  // Setup filesystem and module system
  const codebaseLib = new VMCodeBaseLibrary({
    maxMemfsSize: 10 * 1024 * 1024, // 10MB
    maxFileCount: 1000,
    moduleResolver: async (name) => {
      // Custom module resolver for external libraries
      if (name === 'axios') {
        return `module.exports = { get: async (url) => ({ data: 'mocked response' }) };`
      }
      return undefined
    },
  })

  // Setup performance monitoring
  const measureLib = new VMMeasureLibrary({
    responseTimeLimit: 5000, // 5 second limit
  })

  // Setup host functions
  const ipcRxLib = new VMIpcRxLibrary({
    saveToDatabase: async (data: unknown) => {
      console.log('Saving to database:', data)
      return { id: Date.now(), success: true }
    },
    fetchApiData: async (endpoint: string) => {
      console.log('Fetching from API:', endpoint)
      return { data: 'API response data', timestamp: Date.now() }
    },
  })

  const ipcTxLib = new VMIpcLibrary({ timeout: 10000 })
  const consoleLib = new VMConsoleLibrary()
  const timingLib = new VMTimingLibrary({ limitCount: 50 })

  // Create VM with all libraries
  const vm = new VM([consoleLib, codebaseLib, measureLib, ipcRxLib, ipcTxLib, timingLib], {
    memoryLimit: 128, // 128MB
    onError: (error) => console.error('VM Error:', error),
    onCatastrophicError: (error) => {
      console.error('CRITICAL VM ERROR:', error)
      process.exit(1)
    },
  })

  let monitorInterval: NodeJS.Timeout | undefined
  try {
    // Get virtual filesystem
    const fs = codebaseLib.getFs()

    // Create project structure
    await fs.promises.mkdir('/src', { recursive: true })
    await fs.promises.mkdir('/config', { recursive: true })

    // Add configuration
    await fs.promises.writeFile('/config/app.json', JSON.stringify({ apiUrl: 'https://api.example.com', retries: 3, timeout: 5000 }))

    // Add utility module
    await fs.promises.writeFile(
      '/src/utils.js',
      `
      const fs = require('fs/promises');

      async function loadConfig() {
        const configData = await fs.readFile('/config/app.json', 'utf-8');
        return JSON.parse(configData);
      }

      function processData(data, multiplier = 1) {
        return data.map(item => ({
          ...item,
          value: item.value * multiplier,
          processed: true,
          timestamp: new Date().toISOString()
        }));
      }

      module.exports = { loadConfig, processData };
    `,
    )

    // Add main application
    await fs.promises.writeFile(
      '/src/app.js',
      `
      const utils = require('./utils');
      const axios = require('axios'); // Resolved by custom resolver

      async function processApiData() {
        console.log('Starting data processing...');
        const config = await utils.loadConfig();
        console.log('Loaded config:', config);

        // Fetch data from API (via host function)
        const response = await fetchApiData('/users');
        console.log('API Response:', response);

        const mockData = [
          { id: 1, value: 10 },
          { id: 2, value: 20 },
          { id: 3, value: 30 }
        ];
        const processed = utils.processData(mockData, 2);
        console.log('Processed data:', processed);

        // Save to database (via host function)
        const saveResult = await saveToDatabase({ type: 'processed_data', data: processed, config: config });
        console.log('Save result:', saveResult);

        // Use timer for delayed operation
        await new Promise(resolve => {
          setTimeout(() => {
            console.log('Delayed operation completed');
            resolve();
          }, 1000);
        });

        const mocked = await axios.get(config.apiUrl);
        return { success: true, processedCount: processed.length, saveId: saveResult.id, axios: mocked.data };
      }

      module.exports = { processApiData };
    `,
    )

    // Set entry point
    codebaseLib.setEntryFile('/src/app.js')

    // Initialize and run VM
    await vm.initialize()

    // Start performance monitoring
    monitorInterval = setInterval(async () => {
      measureLib.ping()
      const stats = await measureLib.getUsageStats()
      console.log(`VM Stats - Memory: ${(stats.usedMemory / 1024 / 1024).toFixed(2)}MB (${stats.memoryUsedPercentage.toFixed(1)}%), Response: ${stats.responseTime}ms`)
    }, 2000)

    // Run the project
    await vm.run() // This will automatically execute /src/app.js

    // Call the main function
    const result = await ipcTxLib.callIpc('processApiData', [])
    console.log('Final result:', result)

    // Read any files created by the VM
    try {
      const files = await fs.promises.readdir('/output')
      console.log('Output files created:', files)
    } catch {
      console.log('No output directory created')
    }

    const stats = await measureLib.getUsageStats()
    return { result, stats }
  } finally {
    clearInterval(monitorInterval)
    vm.dispose()
  }
}

if (isMain(import.meta.url)) {
  runJavaScriptProject()
    .then((result) => console.log('Project completed:', result))
    .catch((error) => console.error('Project failed:', error))
}
