import type ivm from 'isolated-vm'

const MAX_ENTRIES = 64
const cache = new Map<string, ivm.ExternalCopy<ArrayBuffer>>()

/**
 * Compiles trusted, repeated code (core's bootstrap, library VM code) with V8's code cache, so
 * every VM after the first skips most of the parse/compile work. Never used for user code.
 */
export function compileCached(isolate: ivm.Isolate, code: string, filename: string): ivm.Script {
  const cachedData = cache.get(code)
  if (cachedData) {
    const script = isolate.compileScriptSync(code, { filename, cachedData }) as ivm.Script & { cachedDataRejected?: boolean }
    if (script.cachedDataRejected) cache.delete(code)
    return script
  }
  const script = isolate.compileScriptSync(code, { filename, produceCachedData: true }) as ivm.Script & { cachedData?: ivm.ExternalCopy<ArrayBuffer> }
  if (script.cachedData) {
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string)
    cache.set(code, script.cachedData)
  }
  return script
}
