import { createRequire } from 'node:module'
import type IVM from 'isolated-vm'

// One isolated-vm build per process: take the copy core itself loads.
const requireFromCore = createRequire(createRequire(import.meta.url).resolve('@vm-machine/core'))
export const ivm = requireFromCore('isolated-vm') as typeof IVM
