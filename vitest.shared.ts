import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { defineProject } from 'vitest/config'

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url))

// Tests import workspace packages from source, so they run without a build and share one core.
const alias = {
  ...Object.fromEntries(
    readdirSync(packagesDir)
      .filter((dir) => dir !== 'test-utils' && dir !== 'vm-machine')
      .map((dir) => [`@vm-machine/${dir}`, `${packagesDir}${dir}/src/index.ts`]),
  ),
  'vm-machine': `${packagesDir}vm-machine/src/index.ts`,
}

/** Every package's tests: real isolates in forked workers (isolated-vm needs --no-node-snapshot). */
export function projectConfig(name: string) {
  return defineProject({
    resolve: { alias },
    test: {
      name,
      include: ['test/**/*.test.ts'],
      pool: 'forks',
      poolOptions: { forks: { execArgv: ['--no-node-snapshot'] } },
      testTimeout: 20_000,
      hookTimeout: 20_000,
    },
  })
}
