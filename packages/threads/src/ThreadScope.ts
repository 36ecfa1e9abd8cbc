import { defineCapability } from '@vm-machine/core'

/** Offered inside a thread VM so a thread library there counts its threads against its ancestors' limits. */
export interface ThreadScope {
  readonly threadId: string
  /** Takes one slot from every ancestor's threadsCountLimit; returns the release (idempotent). Throws when full. */
  reserve(): () => void
}

export const ThreadScope = defineCapability<ThreadScope>('vm-machine/threads/scope')
