// One command on a machine with only Node >= 20 and npm: installs the workspace (pnpm comes from
// the npm registry when missing), builds every package and runs the Quick Start demo.
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'

const PNPM_VERSION = '10.34.9'

const [major] = process.versions.node.split('.').map(Number)
if (major < 20) {
  console.error(`vm-machine needs Node >= 20; this is ${process.version}.`)
  process.exit(1)
}

function pnpmOnPath() {
  try {
    return execSync('pnpm --version', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() === PNPM_VERSION
  } catch {
    return false
  }
}

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' }
// isolated-vm compiles from source; Node's own headers next to the binary let node-gyp work offline.
const nodeDir = dirname(dirname(process.execPath))
if (!env.npm_config_nodedir && existsSync(join(nodeDir, 'include', 'node', 'node.h'))) env.npm_config_nodedir = nodeDir

const pnpm = pnpmOnPath() ? 'pnpm' : `npx --yes pnpm@${PNPM_VERSION}`
const run = (command) => {
  console.log(`\n> ${command}`)
  execSync(command, { stdio: 'inherit', env })
}

run(`${pnpm} install --frozen-lockfile`)
run(`${pnpm} build`)
run(`${pnpm} demo`)
