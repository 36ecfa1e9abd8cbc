import { sleep, waitFor } from '@vm-machine/test-utils'
import { describe, expect, it } from 'vitest'
import { type Deadline, Deadlines } from '../src/deadlines.js'

const entry = (name: string): Deadline & { name: string } => ({ name, at: 0, prev: undefined, next: undefined })
const refTimers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length

describe('Deadlines', () => {
  it('expires entries in deadline order, also when a shorter timeout is added later', async () => {
    const expired: string[] = []
    const deadlines = new Deadlines<ReturnType<typeof entry>>((e) => expired.push(e.name))
    deadlines.add(entry('slow'), 60)
    deadlines.add(entry('fast'), 10)
    deadlines.add(entry('middle'), 30)
    await waitFor(() => expired.length === 3)
    expect(expired).toEqual(['fast', 'middle', 'slow'])
  })

  it('never expires an entry before its deadline', async () => {
    const deadlines = new Deadlines<ReturnType<typeof entry>>((e) => {
      e.name = `${performance.now() - started}`
    })
    const started = performance.now()
    const e = entry('')
    deadlines.add(e, 25)
    await waitFor(() => e.name !== '')
    expect(Number(e.name)).toBeGreaterThanOrEqual(25)
    expect(e.at).toBe(0)
  })

  it('does not expire removed entries, and removing twice or an entry in no list is harmless', async () => {
    const expired: string[] = []
    const deadlines = new Deadlines<ReturnType<typeof entry>>((e) => expired.push(e.name))
    const [a, b, c] = [entry('a'), entry('b'), entry('c')]
    deadlines.add(a, 10)
    deadlines.add(b, 10)
    deadlines.add(c, 10)
    deadlines.remove(b)
    deadlines.remove(b)
    deadlines.remove(entry('never added'))
    deadlines.remove(a)
    await sleep(40)
    expect(expired).toEqual(['c'])
  })

  it('keeps the process alive only while it holds entries', () => {
    const before = refTimers()
    const deadlines = new Deadlines(() => {})
    const [a, b] = [entry('a'), entry('b')]
    deadlines.add(a, 60_000)
    deadlines.add(b, 60_000)
    expect(refTimers()).toBe(before + 1)
    deadlines.remove(a)
    expect(refTimers()).toBe(before + 1)
    deadlines.remove(b)
    expect(refTimers()).toBe(before)
    deadlines.add(a, 60_000)
    expect(refTimers()).toBe(before + 1)
    deadlines.clear()
    expect(refTimers()).toBe(before)
  })

  it('waits out deadlines beyond the longest delay a Node timer takes (2^31 - 1 ms)', async () => {
    const expired: string[] = []
    const deadlines = new Deadlines<ReturnType<typeof entry>>((e) => expired.push(e.name))
    deadlines.add(entry('far'), 2 ** 31 + 1000)
    await sleep(20)
    expect(expired).toEqual([])
    deadlines.clear()
  })

  it('drops every entry on clear() without expiring them', async () => {
    const expired: string[] = []
    const deadlines = new Deadlines<ReturnType<typeof entry>>((e) => expired.push(e.name))
    const a = entry('a')
    deadlines.add(a, 5)
    deadlines.clear()
    await sleep(20)
    expect(expired).toEqual([])
    expect(a.at).toBe(0)
  })
})
