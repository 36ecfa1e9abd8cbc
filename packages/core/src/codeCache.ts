import type ivm from 'isolated-vm'

const MAX_ENTRIES = 64
/** Attempts at warming one entry before it stays as it is (see warmCodeCache). */
const MAX_WARM_ATTEMPTS = 3

interface Entry {
  data: ivm.ExternalCopy<ArrayBuffer>
  size: number
  /** Holds the functions the code ran during setup, not only the ones V8 compiles eagerly. */
  warm: boolean
  attempts: number
}

const cache = new Map<string, Entry>()
/** Code each isolate compiled from a cold entry, by filename: candidates for warmCodeCache. */
const cold = new WeakMap<ivm.Isolate, Map<string, string>>()

/**
 * Compiles trusted, repeated code (core's bootstrap, library VM code) with V8's code cache, so
 * every VM after the first skips most of the parse/compile work. Never used for user code.
 */
export function compileCached(isolate: ivm.Isolate, code: string, filename: string): ivm.Script {
  const entry = cache.get(code)
  return compiled(isolate, code, filename, entry, isolate.compileScriptSync(code, compileOptions(filename, entry)))
}

/** compileCached on the isolate's own thread: the caller's thread is free meanwhile. */
export async function compileCachedAsync(isolate: ivm.Isolate, code: string, filename: string): Promise<ivm.Script> {
  const entry = cache.get(code)
  return compiled(isolate, code, filename, entry, await isolate.compileScript(code, compileOptions(filename, entry)))
}

type CompiledScript = ivm.Script & { cachedData?: ivm.ExternalCopy<ArrayBuffer>; cachedDataRejected?: boolean }

function compileOptions(filename: string, entry: Entry | undefined): ivm.ScriptOrigin & ivm.CachedDataOptions {
  return entry ? { filename, cachedData: entry.data } : { filename, produceCachedData: true }
}

/** Keeps the cache in step with a compile that consumed `entry` (or, without one, produced data). */
function compiled(isolate: ivm.Isolate, code: string, filename: string, entry: Entry | undefined, script: CompiledScript): ivm.Script {
  if (!entry) store(isolate, code, filename, script.cachedData)
  else if (script.cachedDataRejected) {
    if (cache.get(code) === entry) cache.delete(code)
  } else if (!entry.warm && entry.attempts < MAX_WARM_ATTEMPTS) remember(isolate, code, filename)
  return script
}

function store(isolate: ivm.Isolate, code: string, filename: string, data: ivm.ExternalCopy<ArrayBuffer> | undefined): void {
  if (!data) return
  // Another VM compiled the same code meanwhile: keep its entry.
  if (cache.has(code)) {
    data.release()
    return
  }
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string)
  cache.set(code, { data, size: data.copy().byteLength, warm: false, attempts: 0 })
  remember(isolate, code, filename)
}

/** Bytes of cache data held for `code` (tests). */
export function cachedDataSize(code: string): number | undefined {
  return cache.get(code)?.size
}

function remember(isolate: ivm.Isolate, code: string, filename: string): void {
  let codes = cold.get(isolate)
  if (!codes) cold.set(isolate, (codes = new Map()))
  codes.set(code, filename)
}

/**
 * V8 compiles inner functions lazily, on first call, and a code cache made at compile time holds
 * only what was compiled eagerly. After an isolate ran its setup code, compiling the same source
 * again hits that isolate's own compilation cache, and the cache data made from it holds every
 * function that ran so far: later VMs start without compiling them again. Call only while the
 * isolate is idle (a sync compile waits for a busy isolate).
 */
export function warmCodeCache(isolate: ivm.Isolate): void {
  const codes = cold.get(isolate)
  if (!codes) return
  cold.delete(isolate)
  for (const [code, filename] of codes) {
    const entry = cache.get(code)
    if (!entry || entry.warm || entry.attempts >= MAX_WARM_ATTEMPTS) continue
    entry.attempts++
    let script: ivm.Script & { cachedData?: ivm.ExternalCopy<ArrayBuffer> }
    try {
      script = isolate.compileScriptSync(code, { filename, produceCachedData: true }) as typeof script
    } catch {
      continue // an optimization only: a VM near its memory limit still starts
    }
    script.release()
    const data = script.cachedData
    if (!data) continue
    const size = data.copy().byteLength
    // Smaller or equal: V8 compiled the source anew (its compilation cache had dropped it).
    if (size <= entry.size) {
      data.release()
      continue
    }
    entry.data.release()
    Object.assign(entry, { data, size, warm: true })
  }
}
