import ivm from 'isolated-vm'
import { describe, expect, it } from 'vitest'
import { cachedDataSize, compileCached, warmCodeCache } from '../src/codeCache.js'

describe('code cache', () => {
  it('holds the functions an isolate ran once warmed, and later isolates accept it', () => {
    // Inner functions compile lazily, on first call: the cache made at compile time lacks them.
    const code = `(function () {
      function double(x) { return x * 2 }
      function sum(list) { let total = 0; for (const item of list) total += double(item); return total }
      globalThis.result = sum([1, 2, 3])
    })()`
    const first = new ivm.Isolate({ memoryLimit: 8 })
    try {
      const context = first.createContextSync()
      compileCached(first, code, 'warm-test.js').runSync(context)
      const cold = cachedDataSize(code)
      expect(cold).toBeGreaterThan(0)
      warmCodeCache(first)
      expect(cachedDataSize(code)).toBeGreaterThan(cold as number)
    } finally {
      first.dispose()
    }
    const second = new ivm.Isolate({ memoryLimit: 8 })
    try {
      const context = second.createContextSync()
      const script = compileCached(second, code, 'warm-test.js') as ivm.Script & { cachedDataRejected?: boolean }
      expect(script.cachedDataRejected).toBe(false)
      script.runSync(context)
      expect(context.global.getSync('result')).toBe(12)
    } finally {
      second.dispose()
    }
  })

  it('never throws: warming is an optimization (here the isolate is gone)', () => {
    const code = '(function () { function inner() { return 1 } globalThis.x = inner() })()'
    const isolate = new ivm.Isolate({ memoryLimit: 8 })
    compileCached(isolate, code, 'gone.js').runSync(isolate.createContextSync())
    isolate.dispose()
    expect(() => warmCodeCache(isolate)).not.toThrow()
  })

  it('does nothing for an isolate that compiled no cold code', () => {
    const isolate = new ivm.Isolate({ memoryLimit: 8 })
    try {
      expect(() => warmCodeCache(isolate)).not.toThrow()
    } finally {
      isolate.dispose()
    }
  })
})
