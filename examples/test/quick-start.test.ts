import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { describe, expect, it, vi } from 'vitest'
import { quickStart } from '../src/quick-start.js'

describe('Quick Start example', () => {
  it('logs from the VM and prints the result of main', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      const result = await quickStart()
      expect(result).toEqual({ message: 'Calculation done', result: 15 })
      expect(log).toHaveBeenCalledWith('[VM]', 'Hello from VM!')
      expect(log).toHaveBeenCalledWith({ message: 'Calculation done', result: 15 })
    } finally {
      log.mockRestore()
    }
  })

  it('runs as `pnpm demo` does, against the built packages', async () => {
    const cwd = fileURLToPath(new URL('..', import.meta.url))
    const { stdout } = await promisify(execFile)('node', ['--no-node-snapshot', '--import', 'tsx', 'src/quick-start.ts'], { cwd })
    expect(stdout).toContain('[VM] Hello from VM!')
    expect(stdout).toContain("{ message: 'Calculation done', result: 15 }")
  })
})
