'use strict'
// Node's `util` for the sandbox: browserify's util for the bulk, Node's own inspect and format
// (node-inspect-extracted), and Node's semantics where browserify's differ (inherits, promisify).
const base = require('util/util.js')

// Node's inspect is set up on first use (its primordials cost milliseconds at load).
let extracted
const inspector = () => extracted || (extracted = require('node-inspect-extracted'))
function inspect(...args) {
  return inspector().inspect(...args)
}
inspect.custom = Symbol.for('nodejs.util.inspect.custom')
for (const key of ['defaultOptions', 'colors', 'styles']) {
  Object.defineProperty(inspect, key, {
    get: () => inspector().inspect[key],
    set: (value) => {
      inspector().inspect[key] = value
    },
    enumerable: true,
    configurable: true,
  })
}
const format = (...args) => inspector().format(...args)
const formatWithOptions = (...args) => inspector().formatWithOptions(...args)
const stripVTControlCharacters = (string) => inspector().stripVTControlCharacters(string)

function codeError(Ctor, code, message) {
  const error = new Ctor(message)
  error.code = code
  return error
}

function inherits(ctor, superCtor) {
  if (ctor === undefined || ctor === null) throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "ctor" argument must be of type function')
  if (superCtor === undefined || superCtor === null) throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "superCtor" argument must be of type function')
  if (superCtor.prototype === undefined) throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "superCtor.prototype" property must be of type object')
  Object.defineProperty(ctor, 'super_', { value: superCtor, writable: true, configurable: true })
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype)
}

const kCustomPromisify = Symbol.for('nodejs.util.promisify.custom')
function promisify(original) {
  if (typeof original !== 'function') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "original" argument must be of type function')
  const custom = original[kCustomPromisify]
  if (custom !== undefined) {
    if (typeof custom !== 'function') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "util.promisify.custom" argument must be of type function')
    return Object.defineProperty(custom, kCustomPromisify, { value: custom, enumerable: false, writable: false, configurable: true })
  }
  function fn(...args) {
    return new Promise((resolve, reject) => {
      Reflect.apply(original, this, [...args, (error, value) => (error ? reject(error) : resolve(value))])
    })
  }
  Object.setPrototypeOf(fn, Object.getPrototypeOf(original))
  Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, writable: false, configurable: true })
  return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original))
}
promisify.custom = kCustomPromisify

module.exports = {
  ...base,
  format,
  formatWithOptions,
  inspect,
  stripVTControlCharacters,
  inherits,
  promisify,
  isBuffer: (value) => require('buffer').Buffer.isBuffer(value),
  isDeepStrictEqual(a, b) {
    try {
      require('assert').deepStrictEqual(a, b)
      return true
    } catch {
      return false
    }
  },
  toUSVString: (string) => String(string).toWellFormed(),
  get TextEncoder() {
    return globalThis.TextEncoder
  },
  get TextDecoder() {
    return globalThis.TextDecoder
  },
}
