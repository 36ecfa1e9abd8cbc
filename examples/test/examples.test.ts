import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { advancedModules } from '../src/advanced-modules.js'
import { codebaseUsage } from '../src/codebase-usage.js'
import { customLibraries } from '../src/custom-libraries.js'
import { databaseLibrary } from '../src/database-library.js'
import { injectUsage, timingUsage, vmOptions } from '../src/inject-timing-options.js'
import { completeIpc } from '../src/ipc.js'
import { mathEvaluator } from '../src/math-evaluator.js'
import { masterMonitoring, measureUsage } from '../src/monitoring.js'
import { runMultiThreadedApplication } from '../src/multi-threading.js'
import { runJavaScriptProject } from '../src/project-runner.js'
import { safeCodeRunner } from '../src/safe-code-runner.js'
import { templateProcessor } from '../src/template-processor.js'
import { threadBasicUsage } from '../src/thread-basic.js'
import { advancedThreadCommunication } from '../src/thread-communication.js'
import { threadHealth } from '../src/thread-health.js'
import { threadPool } from '../src/thread-pool.js'

let logged: string[] = []
beforeEach(() => {
  logged = []
  const record = (...args: unknown[]) => void logged.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '))
  vi.spyOn(console, 'log').mockImplementation(record)
  vi.spyOn(console, 'error').mockImplementation(record)
})
afterEach(() => vi.restoreAllMocks())

describe('reference examples', () => {
  it('JavaScript Project Runner: modules, resolver, fs, host calls, timer, monitoring', async () => {
    const { result, stats } = await runJavaScriptProject()
    expect(result).toMatchObject({ success: true, processedCount: 3, saveId: expect.any(Number), axios: 'mocked response' })
    expect(stats.usedMemory).toBeGreaterThan(0)
    expect(stats.totalMemory).toBeGreaterThan(100 * 1024 * 1024)
    expect(logged).toContain('[VM] Starting data processing...')
    expect(logged).toContain('[VM] Delayed operation completed')
    expect(logged.some((line) => line.startsWith('Saving to database:'))).toBe(true)
    expect(logged).toContain('No output directory created')
  })

  it('Complete Multi-Threading Example: CPU and I/O workers in parallel, real memory figures, cleanup', async () => {
    const { result, combined, progress, threadsLeft } = (await runMultiThreadedApplication({ runFor: 2400, monitorEvery: 1000 })) as {
      result: { success: boolean; results: { primeResult: { count: number; primes: number[] }; ioResults: Array<{ totalProcessed: number }> }; systemInfo: { activeThreads: number; mainVmMemory: number } }
      combined: { managedCount: number; usedMemory: number }
      progress: string[]
      threadsLeft: number
    }
    expect(result.success).toBe(true)
    expect(result.results.primeResult.count).toBe(1229)
    expect(result.results.primeResult.primes.at(-1)).toBe(9973)
    expect(result.results.ioResults.map((r) => r.totalProcessed)).toEqual([2, 2, 2])
    expect(result.systemInfo.activeThreads).toBe(2)
    expect(result.systemInfo.mainVmMemory).toBeGreaterThan(0)
    expect(combined.managedCount).toBe(3)
    expect(progress).toHaveLength(10)
    expect(threadsLeft).toBe(0)
    expect(logged.some((line) => line.includes('[MAIN] Cleanup complete'))).toBe(true)
  }, 30_000)

  it('Codebase Usage: entry file, require, fs/promises, output read back by the host', async () => {
    expect(await codebaseUsage()).toEqual({ result: { success: true }, output: 'Result: 28' })
    expect(logged).toContain('[VM] Sum: 8')
  })

  it('Advanced Module System: moduleResolver and addModule', async () => {
    expect(await advancedModules()).toEqual({ doubled: [2, 4, 6, 8, 10], config: { apiUrl: 'https://api.example.com', timeout: 5000 }, shouted: 'DONE!' })
  })

  it('Thread Basic Usage: a worker thread calling the host', async () => {
    const { result, saved } = await threadBasicUsage()
    expect(result).toEqual({ threadId: 'thread-1', result1: { success: true, result: { id: 1, saved: true } }, result2: 600, disposed: true })
    expect(saved).toEqual([{ threadId: 'thread-1', processedData: [2, 4, 6, 8, 10] }])
    expect(logged).toContain('[THREAD-thread-1] Worker thread started!')
  })

  it('Advanced Thread Communication: three workers, progress and completion through host functions', async () => {
    const { result, completions, threadsLeft } = (await advancedThreadCommunication({ itemCount: 5 })) as {
      result: { processed: number; statuses: Array<{ processingCount: number }> }
      completions: unknown[]
      threadsLeft: number
    }
    expect(result.processed).toBe(15)
    expect(result.statuses.map((s) => s.processingCount)).toEqual([5, 5, 5])
    expect(completions).toHaveLength(3)
    expect(threadsLeft).toBe(0)
  }, 20_000)

  it('Thread Lifecycle and Health Monitoring: the error-prone worker fails after three operations and lives on', async () => {
    const { outcomes, observations } = (await threadHealth({ delay: 30 })) as { outcomes: { outcomes: unknown[]; alive: boolean }; observations: string[] }
    expect(outcomes).toEqual({ outcomes: [1, 2, 3, 'Simulated thread error', 'Simulated thread error'], alive: true })
    expect(observations.some((line) => /Thread thread-1 is running/.test(line))).toBe(true)
  })

  it('Thread pool: ten items over at most three workers', async () => {
    const { results, created } = await threadPool()
    expect(results.map((r) => r.data)).toEqual(Array.from({ length: 10 }, (_, i) => `DATA-ITEM-${i}`))
    expect(created).toBe(3)
    expect(new Set(results.map((r) => r.worker)).size).toBeLessThanOrEqual(3)
  })

  it('VMMeasureLibrary Usage and Advanced Monitoring with the master', async () => {
    const { result, stats } = await measureUsage()
    expect(result).toEqual({ processed: 1_000_000 })
    expect(stats.responseTime).toBeGreaterThan(0)
    const { overallStats, combinedStats, afterDispose } = await masterMonitoring()
    expect(Object.keys(overallStats.nested).sort()).toEqual(['worker-1', 'worker-2'])
    expect(combinedStats.managedCount).toBe(2)
    expect(overallStats.nested['worker-2']?.usedMemory).toBeGreaterThan(overallStats.nested['worker-1']?.usedMemory ?? 0)
    expect(afterDispose.managedCount).toBe(0)
  })

  it('VMInjectLibrary, VMTimingLibrary and VM options', async () => {
    expect(await injectUsage()).toEqual({ doubled: 42, config: { retries: 3, timeout: 5000 } })
    expect(logged).toContain('[VM] API URL: https://api.example.com')
    const { result, lines } = await timingUsage()
    expect(result).toEqual({ started: true })
    expect(lines).toEqual(['Counter: 1', 'Counter: 2', 'Delayed execution', 'Counter: 3'])
    const options = await vmOptions()
    expect(options.answer).toBe('pong')
    expect(options.events).toEqual(['end', 'error: runtime failure', 'end', 'dispose'])
  }, 20_000)

  it('Complete IPC Example and IPC errors', async () => {
    const { result, errorHandling, saved } = await completeIpc()
    expect(result).toMatchObject({ id: 123, name: 'Ada', processedAt: expect.any(String) })
    expect(errorHandling).toEqual({ success: false, error: 'Data is required' })
    expect(saved).toEqual([result])
  })

  it('Safe Code Execution (through the umbrella package)', async () => {
    const { result, denied } = await safeCodeRunner()
    expect(result).toEqual({ success: true, result: { processed: [2, 4, 6, 8, 10], count: 5, version: '1.0.0' } })
    expect(denied).toEqual({ success: false, error: 'Access denied to: secrets' })
    expect(logged).toContain('VM Result: Processed 5 items')
  })

  it('Mathematical Expression Evaluator', async () => {
    expect(await mathEvaluator()).toEqual({ simple: 14, withVariables: 52, withFunctions: 12 })
  })

  it('Template Processing with Data', async () => {
    expect(await templateProcessor()).toBe('\nHello John Doe!\nYour registration date: 1/15/2024\nEmail: john.doe@example.com\nStatus: ACTIVE\n')
  })

  it('Custom libraries: math, crypto, filesystem with allowed paths', async () => {
    const { math, errors, cryptoResult, fsResult } = (await customLibraries()) as {
      math: unknown
      errors: string[]
      cryptoResult: { hash: string; digest: string; decrypted: string; encrypted: string }
      fsResult: unknown
    }
    expect(math).toEqual({ fib: 6765, fact: 3628800, bad: null })
    expect(errors).toEqual(['Unknown operation: cube'])
    expect(cryptoResult.hash).toMatch(/^[0-9a-f]{32}$/)
    expect(cryptoResult.digest).toBe('b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9')
    expect(cryptoResult.decrypted).toBe('secret data')
    expect(fsResult).toEqual({ files: ['output.txt', 'test.txt'], content: 'Hello from the host', size: 19, isFile: true, denied: [true, true, true] })
  })

  it('Database library over a real SQLite (sql.js)', async () => {
    expect(await databaseLibrary()).toEqual({
      userId: 1,
      users: [{ id: 1, name: 'John Doe', email: 'john@example.com', active: 1, last_login: null }],
      updated: 1,
      refused: ['Forbidden SQL operation', 'Invalid column name: name) VALUES (1); DROP TABLE users; --', 'Invalid table name'],
      after: [{ name: 'John Doe', last_login: '1970-01-01T00:00:00.000Z' }],
    })
  })
})
