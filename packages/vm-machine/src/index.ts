// Everything each package exports (values and types), so this list cannot drift from theirs.
export * from '@vm-machine/core'
export * from '@vm-machine/console'
export * from '@vm-machine/ipc'
export * from '@vm-machine/timing'
export * from '@vm-machine/codebase'
export * from '@vm-machine/measure'
export * from '@vm-machine/threads'
