import { VMLibrary, type VMReferences, vmScript } from '@vm-machine/core'
import { createTestVM, waitFor } from '@vm-machine/test-utils'
import { describe, expect, it } from 'vitest'

const WEB_GLOBALS = ['TextEncoder', 'TextDecoder', 'URL', 'URLSearchParams', 'atob', 'btoa', 'structuredClone', 'queueMicrotask', 'crypto', 'DOMException']

class CodeLibrary extends VMLibrary {
  constructor(
    readonly label: string,
    readonly code: string,
    readonly references: VMReferences = {},
  ) {
    super()
  }
  override get name() {
    return this.label
  }
  override getReferences() {
    return this.references
  }
  override getVmCode() {
    return this.code
  }
}

describe('web globals in every VM', () => {
  it('are lazy accessors until first read, then plain writable data properties', async () => {
    const vm = await createTestVM()
    const kinds = `return ${JSON.stringify(WEB_GLOBALS)}.map((name) => { const d = Object.getOwnPropertyDescriptor(globalThis, name); return [typeof d.get, d.enumerable, d.configurable] })`
    expect(await vm.run(kinds)).toEqual(WEB_GLOBALS.map(() => ['function', false, true]))
    expect(await vm.run(`return ${JSON.stringify(WEB_GLOBALS)}.map((name) => typeof globalThis[name])`)).toEqual(WEB_GLOBALS.map((name) => (name === 'crypto' ? 'object' : 'function')))
    expect(await vm.run(`return ${JSON.stringify(WEB_GLOBALS)}.map((name) => { const d = Object.getOwnPropertyDescriptor(globalThis, name); return [typeof d.get, d.writable, d.enumerable] })`)).toEqual(
      WEB_GLOBALS.map(() => ['undefined', true, false]),
    )
  })

  it('lets code and libraries replace them, before or after first use (a custom crypto)', async () => {
    const vm = await createTestVM([new CodeLibrary('custom-crypto', 'global.crypto = { mine: true }')])
    expect(await vm.run('const before = crypto.mine; globalThis.TextEncoder = 1; return [before, TextEncoder, typeof new TextDecoder().decode]')).toEqual([true, 1, 'function'])
  })

  it('does not count a library that only reads one as its owner', async () => {
    const reader = new CodeLibrary('reader', 'globalThis.encoded = new TextEncoder().encode("x").length')
    const writer = new CodeLibrary('writer', 'globalThis.TextEncoder = class Mine {}')
    const vm = await createTestVM([reader, writer])
    expect(await vm.run('return [encoded, TextEncoder.name]')).toEqual([1, 'Mine'])
  })
})

describe('TextEncoder and TextDecoder', () => {
  it('encode like Node, lone surrogates included, and encodeInto stops at whole characters', async () => {
    const vm = await createTestVM()
    const inputs = ['', 'ascii', 'héllo €', '😀 pair', 'lone \ud800 high', 'lone \udc00 low', '\u0000\u007f\u0080\u07ff\u0800\uffff']
    const result = (await vm.run(`
      const encoder = new TextEncoder()
      const into = new Uint8Array(5)
      return { encoded: ${JSON.stringify(inputs)}.map((s) => Array.from(encoder.encode(s))), into: encoder.encodeInto('ab€c', into), bytes: Array.from(into), encoding: encoder.encoding }`)) as Record<string, unknown>
    const encoder = new TextEncoder()
    const into = new Uint8Array(5)
    expect(result).toEqual({ encoded: inputs.map((s) => Array.from(encoder.encode(s))), into: encoder.encodeInto('ab€c', into), bytes: Array.from(into), encoding: 'utf-8' })
  })

  it('decode invalid and truncated UTF-8 with the same replacement characters as Node', async () => {
    const vm = await createTestVM()
    const cases = [[0x61, 0xff, 0x62], [0xe2, 0x82], [0xe2, 0x28, 0xa1], [0xf0, 0x9f, 0x98], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0xef, 0xbb, 0xbf, 0x78], [0xf0, 0x9f, 0x98, 0x80]]
    const ours = await vm.run(`return ${JSON.stringify(cases)}.map((bytes) => new TextDecoder().decode(new Uint8Array(bytes)))`)
    expect(ours).toEqual(cases.map((bytes) => new TextDecoder().decode(new Uint8Array(bytes))))
  })

  it('streams characters split across chunks, keeps the BOM on request and throws when fatal', async () => {
    const vm = await createTestVM()
    expect(
      await vm.run(`
        const d = new TextDecoder()
        const streamed = d.decode(new Uint8Array([0xf0, 0x9f]), { stream: true }) + d.decode(new Uint8Array([0x98, 0x80]), { stream: true }) + d.decode()
        const bom = new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array([0xef, 0xbb, 0xbf, 0x41]))
        let fatal
        try { new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array([0xff])) } catch (e) { fatal = [e.name, e.code] }
        let label
        try { new TextDecoder('koi8-r') } catch (e) { label = [e.name, e.code] }
        return [streamed, bom.length, fatal, label]`),
    ).toEqual(['😀', 2, ['TypeError', 'ERR_ENCODING_INVALID_ENCODED_DATA'], ['RangeError', 'ERR_ENCODING_NOT_SUPPORTED']])
  })

  it('decodes UTF-16 and windows-1252 (latin1) like Node', async () => {
    const vm = await createTestVM()
    const bytes = [0x3d, 0xd8, 0x00, 0xde, 0x41, 0x00, 0x80, 0x9f, 0xe9]
    const labels = ['utf-16le', 'utf-16be', 'latin1', 'ascii']
    const ours = await vm.run(`return ${JSON.stringify(labels)}.map((label) => { const d = new TextDecoder(label); return [d.encoding, d.decode(new Uint8Array(${JSON.stringify(bytes)}))] })`)
    expect(ours).toEqual(labels.map((label) => [new TextDecoder(label).encoding, new TextDecoder(label).decode(new Uint8Array(bytes))]))
  })
})

describe('atob and btoa', () => {
  it('round-trip like Node, with whitespace and padding rules', async () => {
    const vm = await createTestVM()
    const encode = ['', 'f', 'fo', 'foo', 'foob', '\u00ff\u0000binary']
    const decode = ['', 'Zg==', 'Zg', ' Zm9v\n', 'Zm9vYg', 'AP8=']
    expect(await vm.run(`return [${JSON.stringify(encode)}.map((s) => btoa(s)), ${JSON.stringify(decode)}.map((s) => atob(s))]`)).toEqual([encode.map((s) => btoa(s)), decode.map((s) => atob(s))])
  })

  it('throw InvalidCharacterError DOMExceptions on bad input', async () => {
    const vm = await createTestVM()
    expect(
      await vm.run(`return [() => btoa('€'), () => atob('a'), () => atob('ab!c'), () => atob('Zm9vYg=')].map((f) => { try { f() } catch (e) { return [e.name, e.code, e instanceof DOMException, e instanceof Error] } })`),
    ).toEqual([...Array(4)].map(() => ['InvalidCharacterError', 5, true, true]))
  })
})

describe('URL and URLSearchParams', () => {
  it('parse and serialize like Node (whatwg-url), IDN hosts included', async () => {
    const vm = await createTestVM()
    const inputs: Array<[string, string?]> = [
      ['https://user:pw@EXAMPLE.com:443/a/../b/%7e?x=1&y=two words#frag'],
      ['../up?q', 'http://h.com/a/b/c'],
      ['http://münchen.de/ä?ö#ü'],
      ['http://[::1]:8080/'],
      ['file:///C:/path/to'],
      ['blob:https://a.com/uuid'],
      ['http://0x7f.1/'],
    ]
    const fields = ['href', 'origin', 'protocol', 'username', 'password', 'host', 'hostname', 'port', 'pathname', 'search', 'hash']
    const ours = await vm.run(`return ${JSON.stringify(inputs)}.map(([input, base]) => { const u = new URL(input, base); return ${JSON.stringify(fields)}.map((f) => u[f]) })`)
    expect(ours).toEqual(
      inputs.map(([input, base]) => {
        const u = new URL(input, base) as unknown as Record<string, string>
        return fields.map((f) => u[f])
      }),
    )
  })

  it('throws Node-style TypeErrors (ERR_INVALID_URL with input) on parse errors and offers canParse/parse', async () => {
    const vm = await createTestVM()
    expect(
      await vm.run(`
        const out = []
        for (const args of [['not a url'], ['/path', 'also not'], ['http://exa mple.com'], ['http://[::1']]) {
          try { new URL(...args); out.push('parsed') } catch (e) { out.push([e.name, e.code, e.message, e.input, e.base, e instanceof TypeError]) }
        }
        return [out, URL.canParse('http://x'), URL.canParse('nope'), URL.parse('nope'), URL.parse('http://x/') instanceof URL]`),
    ).toEqual([
      [
        ['TypeError', 'ERR_INVALID_URL', 'Invalid URL', 'not a url', undefined, true],
        ['TypeError', 'ERR_INVALID_URL', 'Invalid URL', '/path', 'also not', true],
        ['TypeError', 'ERR_INVALID_URL', 'Invalid URL', 'http://exa mple.com', undefined, true],
        ['TypeError', 'ERR_INVALID_URL', 'Invalid URL', 'http://[::1', undefined, true],
      ],
      true,
      false,
      null,
      true,
    ])
  })

  it('keeps searchParams and the URL in step, as in Node', async () => {
    const vm = await createTestVM()
    const script = `
      const u = new URL('https://a.com/?b=2&a=1&a=3')
      u.searchParams.append('c', 'x y')
      u.searchParams.sort()
      u.hash = 'h'
      u.pathname = '/p q'
      const p = new URLSearchParams({ k: 'v', e: '=&' })
      return [u.href, [...u.searchParams.keys()], p.toString(), new URLSearchParams('?a=1&a=2').getAll('a'), JSON.stringify(u)]`
    const node = new Function(script)()
    expect(await vm.run(script)).toEqual(node)
  })
})

describe('structuredClone', () => {
  it('copies Maps, Sets, Dates, RegExps, typed arrays, BigInts, errors and cycles into VM objects', async () => {
    const vm = await createTestVM()
    expect(
      await vm.run(`
        const source = { map: new Map([[1, { at: new Date(5) }]]), set: new Set(['a']), re: /x/gi, bytes: new Uint8Array([1, 2]), big: 2n ** 70n, error: new RangeError('bad') }
        source.self = source
        const copy = structuredClone(source)
        return [copy !== source, copy.self === copy, copy.map instanceof Map, copy.map.get(1).at instanceof Date, copy.map.get(1).at.getTime(), copy.set.has('a'),
          String(copy.re), copy.bytes instanceof Uint8Array, Array.from(copy.bytes), copy.big === 2n ** 70n, copy.error instanceof RangeError, copy.error.message]`),
    ).toEqual([true, true, true, true, 5, true, '/x/gi', true, [1, 2], true, true, 'bad'])
  })

  it('throws a DataCloneError DOMException for functions and symbols, and drops prototypes', async () => {
    const vm = await createTestVM()
    expect(
      await vm.run(`
        const errors = [() => structuredClone(() => 1), () => structuredClone({ s: Symbol('x') })].map((f) => { try { f() } catch (e) { return [e.name, e.code, e instanceof DOMException] } })
        class Point { constructor() { this.x = 1 } get y() { return 2 } }
        const copy = structuredClone(new Point())
        return [errors, Object.getPrototypeOf(copy) === Object.prototype, copy.x, copy.y]`),
    ).toEqual([[['DataCloneError', 25, true], ['DataCloneError', 25, true]], true, 1, undefined])
  })
})

describe('queueMicrotask', () => {
  it('runs callbacks in order after the current synchronous code', async () => {
    const vm = await createTestVM()
    expect(await vm.run('const order = []; queueMicrotask(() => order.push(2)); queueMicrotask(() => order.push(3)); order.push(1); await null; await null; return order')).toEqual([1, 2, 3])
  })

  it('rejects a non-function and reports an error thrown in a callback to onError', async () => {
    const errors: Error[] = []
    const vm = await createTestVM([], { onError: (error) => errors.push(error) })
    expect(await vm.run('try { queueMicrotask(1) } catch (e) { return [e.name, e.code] }')).toEqual(['TypeError', 'ERR_INVALID_ARG_TYPE'])
    await vm.run('queueMicrotask(() => { throw new Error("in microtask") })')
    await waitFor(() => errors.length > 0)
    expect(errors[0]?.message).toMatch(/in microtask/)
  })
})

describe('crypto', () => {
  it('fills integer typed arrays with host randomness that differs between calls', async () => {
    const vm = await createTestVM()
    const [a, b, big, same, sizes] = (await vm.run(`
      const a = Array.from(crypto.getRandomValues(new Uint8Array(32)))
      const b = Array.from(crypto.getRandomValues(new Uint8Array(32)))
      const big = crypto.getRandomValues(new Uint32Array(16384))
      const array = new Int16Array(8)
      return [a, b, big.some((x) => x !== 0), crypto.getRandomValues(array) === array, [new BigUint64Array(2), new Uint8ClampedArray(3), new Int8Array(0)].map((x) => crypto.getRandomValues(x).length)]`)) as [number[], number[], boolean, boolean, number[]]
    expect(a).not.toEqual(b)
    expect(new Set(a).size).toBeGreaterThan(8)
    expect([big, same, sizes]).toEqual([true, true, [2, 3, 0]])
  })

  it('rejects float arrays and more than 65,536 bytes like Node', async () => {
    const vm = await createTestVM()
    expect(
      await vm.run(`return [() => crypto.getRandomValues(new Float64Array(1)), () => crypto.getRandomValues(new Uint8Array(65537)), () => crypto.getRandomValues([1])].map((f) => { try { f() } catch (e) { return [e.name, e.code] } })`),
    ).toEqual([
      ['TypeMismatchError', 17],
      ['QuotaExceededError', 22],
      ['TypeMismatchError', 17],
    ])
  })

  it('makes distinct RFC 4122 version 4 UUIDs', async () => {
    const vm = await createTestVM()
    const uuids = (await vm.run('return Array.from({ length: 300 }, () => crypto.randomUUID())')) as string[]
    expect(new Set(uuids).size).toBe(300)
    for (const uuid of uuids) expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})

describe('vmScript references', () => {
  it('compile and run only on the first call, nested ones included, and return the same value after', async () => {
    const library = new CodeLibrary('scripts', 'globalThis.load = __vmm_big; globalThis.loadNested = __vmm_nested.inner; delete globalThis.__vmm_big; delete globalThis.__vmm_nested', {
      __vmm_big: vmScript('globalThis.evaluated = (globalThis.evaluated || 0) + 1; ({ value: 42 })', 'big.js'),
      __vmm_nested: { inner: vmScript('(function () { return "nested" })', 'nested.js') },
    })
    const vm = await createTestVM([library])
    expect(await vm.run('const before = globalThis.evaluated; const a = load(); const b = load(); return [before, a === b, a.value, globalThis.evaluated, loadNested()()]')).toEqual([
      undefined,
      true,
      42,
      1,
      'nested',
    ])
  })

  it('reports a broken script in the VM by name and message, without host stack frames', async () => {
    const library = new CodeLibrary('broken', 'globalThis.load = __vmm_bad; delete globalThis.__vmm_bad', { __vmm_bad: vmScript('(', 'bad.js') })
    const vm = await createTestVM([library])
    const [name, stack] = (await vm.run('try { load() } catch (e) { return [e.name, e.stack] }')) as [string, string]
    expect(name).toBe('SyntaxError')
    expect(stack).not.toMatch(/\/work\/|node_modules|\.ts:|compatHost|codeCache/)
  })
})
