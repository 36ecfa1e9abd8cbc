/**
 * The web platform globals core gives every VM (TextEncoder, TextDecoder, atob, btoa,
 * structuredClone, queueMicrotask, crypto, DOMException). Compiled with the code cache and run the
 * first time VM code reads one of them; evaluates to a factory taking the host hooks.
 * `random(n)` returns n bytes of host randomness, `clone(value)` a structured clone made by
 * copying the value to the host and back.
 */
export const webCode = /* js */ `(function (hooks) {
'use strict'
const { random, clone } = hooks
const fromCharCode = String.fromCharCode
const toStringTag = (value) => Object.prototype.toString.call(value).slice(8, -1)

function nodeError(Ctor, code, message) {
  const error = new Ctor(message)
  error.code = code
  return error
}
function describe(value) {
  if (value === null) return 'null'
  if (typeof value === 'function') return 'function ' + value.name
  if (typeof value === 'object') return value.constructor && value.constructor.name ? 'an instance of ' + value.constructor.name : typeof value
  return 'type ' + typeof value + ' (' + String(value) + ')'
}

// ---- DOMException ----------------------------------------------------------------------------
const legacyCodes = {
  IndexSizeError: 1, HierarchyRequestError: 3, WrongDocumentError: 4, InvalidCharacterError: 5, NoModificationAllowedError: 7,
  NotFoundError: 8, NotSupportedError: 9, InvalidStateError: 11, SyntaxError: 12, InvalidModificationError: 13, NamespaceError: 14,
  InvalidAccessError: 15, TypeMismatchError: 17, SecurityError: 18, NetworkError: 19, AbortError: 20, URLMismatchError: 21,
  QuotaExceededError: 22, TimeoutError: 23, InvalidNodeTypeError: 24, DataCloneError: 25,
}
class DOMException extends Error {
  constructor(message = '', options = 'Error') {
    super(String(message))
    const name = options !== null && typeof options === 'object' ? (options.name === undefined ? 'Error' : String(options.name)) : String(options)
    Object.defineProperty(this, 'name', { value: name, writable: true, configurable: true })
    Object.defineProperty(this, 'code', { value: legacyCodes[name] || 0, writable: true, configurable: true })
  }
}
Object.defineProperty(DOMException.prototype, Symbol.toStringTag, { value: 'DOMException', configurable: true })

// ---- TextEncoder -----------------------------------------------------------------------------
function utf8Length(string) {
  let length = 0
  for (let i = 0; i < string.length; i++) {
    const c = string.charCodeAt(i)
    if (c < 0x80) length += 1
    else if (c < 0x800) length += 2
    else if (c >= 0xd800 && c <= 0xdbff && (string.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 4
      i++
    } else length += 3
  }
  return length
}
// Writes UTF-8 (lone surrogates as U+FFFD) while whole characters fit; returns [read, written].
function utf8Write(string, out, limit) {
  let i = 0
  let n = 0
  while (i < string.length) {
    let c = string.charCodeAt(i)
    let units = 1
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = string.charCodeAt(i + 1)
      if (c <= 0xdbff && (next & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00)
        units = 2
      } else c = 0xfffd
    }
    if (c < 0x80) {
      if (n + 1 > limit) break
      out[n++] = c
    } else if (c < 0x800) {
      if (n + 2 > limit) break
      out[n++] = 0xc0 | (c >> 6)
      out[n++] = 0x80 | (c & 0x3f)
    } else if (c < 0x10000) {
      if (n + 3 > limit) break
      out[n++] = 0xe0 | (c >> 12)
      out[n++] = 0x80 | ((c >> 6) & 0x3f)
      out[n++] = 0x80 | (c & 0x3f)
    } else {
      if (n + 4 > limit) break
      out[n++] = 0xf0 | (c >> 18)
      out[n++] = 0x80 | ((c >> 12) & 0x3f)
      out[n++] = 0x80 | ((c >> 6) & 0x3f)
      out[n++] = 0x80 | (c & 0x3f)
    }
    i += units
  }
  return [i, n]
}
class TextEncoder {
  get encoding() { return 'utf-8' }
  encode(input = '') {
    const string = String(input)
    const out = new Uint8Array(utf8Length(string))
    utf8Write(string, out, out.length)
    return out
  }
  encodeInto(source, destination) {
    if (!(destination instanceof Uint8Array)) throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "dest" argument must be an instance of Uint8Array. Received ' + describe(destination))
    const [read, written] = utf8Write(String(source), destination, destination.length)
    return { read, written }
  }
}
Object.defineProperty(TextEncoder.prototype, Symbol.toStringTag, { value: 'TextEncoder', configurable: true })

// ---- TextDecoder -----------------------------------------------------------------------------
const labels = { __proto__: null }
const addLabels = (encoding, names) => { for (const name of names.split(' ')) labels[name] = encoding }
addLabels('utf-8', 'unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8')
addLabels('utf-16le', 'csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le')
addLabels('utf-16be', 'unicodefffe utf-16be')
addLabels('windows-1252', 'ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 x-cp1252')

class Output {
  constructor() { this.parts = []; this.units = [] }
  push(unit) {
    this.units.push(unit)
    if (this.units.length === 8192) this.flushUnits()
  }
  pushCodePoint(cp) {
    if (cp < 0x10000) this.push(cp)
    else {
      cp -= 0x10000
      this.push(0xd800 + (cp >> 10))
      this.push(0xdc00 + (cp & 0x3ff))
    }
  }
  pushAscii(bytes, start, end) {
    this.flushUnits()
    for (let i = start; i < end; i += 8192) this.parts.push(fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + 8192))))
  }
  flushUnits() {
    if (this.units.length) this.parts.push(fromCharCode.apply(null, this.units))
    this.units = []
  }
  text() {
    this.flushUnits()
    return this.parts.join('')
  }
}

function invalid(decoder) {
  if (decoder.fatal) throw nodeError(TypeError, 'ERR_ENCODING_INVALID_ENCODED_DATA', 'The encoded data was not valid for encoding ' + decoder.encoding)
  return 0xfffd
}

// WHATWG UTF-8 decode: each maximal invalid subpart becomes one U+FFFD. Returns the index where
// an incomplete trailing sequence starts (kept for the next chunk when streaming).
function decodeUtf8(decoder, bytes, out, flush) {
  const end = bytes.length
  let i = 0
  while (i < end) {
    const b = bytes[i]
    if (b < 0x80) {
      let j = i + 1
      while (j < end && bytes[j] < 0x80) j++
      out.pushAscii(bytes, i, j)
      i = j
      continue
    }
    let need = 0
    let cp = 0
    let lower = 0x80
    let upper = 0xbf
    if (b >= 0xc2 && b <= 0xdf) { need = 1; cp = b & 0x1f }
    else if (b >= 0xe0 && b <= 0xef) { need = 2; cp = b & 0xf; if (b === 0xe0) lower = 0xa0; if (b === 0xed) upper = 0x9f }
    else if (b >= 0xf0 && b <= 0xf4) { need = 3; cp = b & 0x7; if (b === 0xf0) lower = 0x90; if (b === 0xf4) upper = 0x8f }
    else {
      out.push(invalid(decoder))
      i++
      continue
    }
    let j = i + 1
    let complete = true
    for (let k = 0; k < need; k++, j++) {
      if (j >= end) {
        if (!flush) return i
        complete = false
        break
      }
      const c = bytes[j]
      if (c < lower || c > upper) {
        complete = false
        break
      }
      lower = 0x80
      upper = 0xbf
      cp = (cp << 6) | (c & 0x3f)
    }
    if (complete) out.pushCodePoint(cp)
    else out.push(invalid(decoder))
    i = j
  }
  return end
}

function decodeUtf16(decoder, bytes, out, flush, bigEndian) {
  const end = bytes.length
  let i = 0
  while (i + 1 < end) {
    const unit = bigEndian ? (bytes[i] << 8) | bytes[i + 1] : bytes[i] | (bytes[i + 1] << 8)
    if (unit >= 0xd800 && unit <= 0xdbff) {
      if (i + 3 >= end) {
        if (!flush) return i
        out.push(invalid(decoder))
        i += 2
        continue
      }
      const next = bigEndian ? (bytes[i + 2] << 8) | bytes[i + 3] : bytes[i + 2] | (bytes[i + 3] << 8)
      if (next >= 0xdc00 && next <= 0xdfff) {
        out.push(unit)
        out.push(next)
        i += 4
      } else {
        out.push(invalid(decoder))
        i += 2
      }
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      out.push(invalid(decoder))
      i += 2
    } else {
      out.push(unit)
      i += 2
    }
  }
  if (i < end) {
    if (!flush) return i
    out.push(invalid(decoder))
  }
  return end
}

function toBytes(input) {
  if (input === undefined) return new Uint8Array(0)
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
  const tag = toStringTag(input)
  if (tag === 'ArrayBuffer' || tag === 'SharedArrayBuffer') return new Uint8Array(input)
  throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "input" argument must be an instance of ArrayBuffer or ArrayBufferView. Received ' + describe(input))
}

class TextDecoder {
  #encoding
  #fatal
  #ignoreBOM
  #pending = null
  #bomChecked = false
  constructor(label = 'utf-8', options = {}) {
    const encoding = labels[String(label).trim().toLowerCase()]
    if (encoding === undefined) throw nodeError(RangeError, 'ERR_ENCODING_NOT_SUPPORTED', 'The "' + String(label) + '" encoding is not supported')
    if (options !== null && typeof options !== 'object') throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "options" argument must be of type object. Received ' + describe(options))
    this.#encoding = encoding
    this.#fatal = Boolean(options && options.fatal)
    this.#ignoreBOM = Boolean(options && options.ignoreBOM)
  }
  get encoding() { return this.#encoding }
  get fatal() { return this.#fatal }
  get ignoreBOM() { return this.#ignoreBOM }
  decode(input = undefined, options = {}) {
    let bytes = toBytes(input)
    const stream = Boolean(options && options.stream)
    if (this.#pending) {
      const joined = new Uint8Array(this.#pending.length + bytes.length)
      joined.set(this.#pending)
      joined.set(bytes, this.#pending.length)
      bytes = joined
      this.#pending = null
    }
    const out = new Output()
    const state = { fatal: this.#fatal, encoding: this.#encoding }
    let used = bytes.length
    try {
      if (this.#encoding === 'utf-8') used = decodeUtf8(state, bytes, out, !stream)
      else if (this.#encoding === 'windows-1252') {
        // As Node 20 does: each byte is its code point (the spec's windows-1252 differs at 0x80-0x9f).
        out.pushAscii(bytes, 0, bytes.length)
      } else used = decodeUtf16(state, bytes, out, !stream, this.#encoding === 'utf-16be')
    } catch (error) {
      this.#bomChecked = false
      throw error
    }
    if (used < bytes.length) this.#pending = bytes.slice(used)
    let text = out.text()
    if (!this.#bomChecked && text.length > 0) {
      if (!this.#ignoreBOM && this.#encoding !== 'windows-1252' && text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      this.#bomChecked = true
    }
    if (!stream) this.#bomChecked = false
    return text
  }
}
Object.defineProperty(TextDecoder.prototype, Symbol.toStringTag, { value: 'TextDecoder', configurable: true })

// ---- atob / btoa -----------------------------------------------------------------------------
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const lookup = new Uint8Array(128).fill(255)
for (let i = 0; i < alphabet.length; i++) lookup[alphabet.charCodeAt(i)] = i

function btoa(data) {
  if (arguments.length === 0) throw nodeError(TypeError, 'ERR_MISSING_ARGS', 'The "input" argument must be specified')
  const string = String(data)
  let out = ''
  for (let i = 0; i < string.length; i += 3) {
    const a = string.charCodeAt(i)
    const b = i + 1 < string.length ? string.charCodeAt(i + 1) : 0
    const c = i + 2 < string.length ? string.charCodeAt(i + 2) : 0
    if (a > 0xff || b > 0xff || c > 0xff) throw new DOMException('Invalid character', 'InvalidCharacterError')
    const triple = (a << 16) | (b << 8) | c
    out += alphabet[triple >> 18] + alphabet[(triple >> 12) & 63]
    out += i + 1 < string.length ? alphabet[(triple >> 6) & 63] : '='
    out += i + 2 < string.length ? alphabet[triple & 63] : '='
  }
  return out
}

function atob(data) {
  if (arguments.length === 0) throw nodeError(TypeError, 'ERR_MISSING_ARGS', 'The "input" argument must be specified')
  let string = String(data).replace(/[\\t\\n\\f\\r ]/g, '')
  if (string.length % 4 === 0) string = string.replace(/==?$/, '')
  if (string.length % 4 === 1) throw new DOMException('The string to be decoded is not correctly encoded.', 'InvalidCharacterError')
  let out = ''
  let buffer = 0
  let bits = 0
  for (let i = 0; i < string.length; i++) {
    const code = string.charCodeAt(i)
    const value = code < 128 ? lookup[code] : 255
    if (value === 255) throw new DOMException('Invalid character', 'InvalidCharacterError')
    buffer = (buffer << 6) | value
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out += fromCharCode((buffer >> bits) & 0xff)
    }
  }
  return out
}

// ---- structuredClone, queueMicrotask ---------------------------------------------------------
function structuredClone(value, options) {
  if (arguments.length === 0) throw nodeError(TypeError, 'ERR_MISSING_ARGS', 'The value argument must be specified')
  try {
    return clone(value)
  } catch (error) {
    throw new DOMException(error && error.message, 'DataCloneError')
  }
}

const resolved = Promise.resolve()
function queueMicrotask(callback) {
  if (typeof callback !== 'function') throw nodeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "callback" argument must be of type function. Received ' + describe(callback))
  resolved.then(() => callback())
}

// ---- crypto ----------------------------------------------------------------------------------
const MAX_BYTES = 65536
const POOL_SIZE = 4096
const integerArrays = new Set(['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array'])
let pool = new Uint8Array(0)
let poolOffset = 0
// Small requests come from a pool of host randomness, so that a UUID costs no host call; every
// byte is handed out once.
function randomBytes(length) {
  if (length > 256) return random(length)
  if (poolOffset + length > pool.length) {
    pool = random(POOL_SIZE)
    poolOffset = 0
  }
  const bytes = pool.subarray(poolOffset, poolOffset + length)
  poolOffset += length
  return bytes
}
const hex = []
for (let i = 0; i < 256; i++) hex.push((i + 0x100).toString(16).slice(1))

class Crypto {
  getRandomValues(array) {
    if (!ArrayBuffer.isView(array) || !integerArrays.has(toStringTag(array))) {
      throw new DOMException('The data argument must be an integer-type TypedArray', 'TypeMismatchError')
    }
    if (array.byteLength > MAX_BYTES) throw new DOMException('The requested length exceeds 65,536 bytes', 'QuotaExceededError')
    if (array.byteLength > 0) new Uint8Array(array.buffer, array.byteOffset, array.byteLength).set(randomBytes(array.byteLength))
    return array
  }
  randomUUID() {
    const b = randomBytes(16)
    const v = (b[6] & 0x0f) | 0x40
    const r = (b[8] & 0x3f) | 0x80
    return hex[b[0]] + hex[b[1]] + hex[b[2]] + hex[b[3]] + '-' + hex[b[4]] + hex[b[5]] + '-' + hex[v] + hex[b[7]] + '-' + hex[r] + hex[b[9]] + '-' +
      hex[b[10]] + hex[b[11]] + hex[b[12]] + hex[b[13]] + hex[b[14]] + hex[b[15]]
  }
}
Object.defineProperty(Crypto.prototype, Symbol.toStringTag, { value: 'Crypto', configurable: true })

return { TextEncoder, TextDecoder, atob, btoa, structuredClone, queueMicrotask, crypto: new Crypto(), Crypto, DOMException }
})`
