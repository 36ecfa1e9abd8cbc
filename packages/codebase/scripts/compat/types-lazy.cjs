'use strict'
// util.types, set up on first use: its is-* helpers (get-intrinsic and friends) cost milliseconds
// at load, and most code that requires util never reads util.types. Writes made before that wait.
let types
const pending = {}
const load = () => {
  if (!types) {
    types = require('util/support/types.js')
    Object.assign(types, pending)
  }
  return types
}

module.exports = new Proxy(pending, {
  get: (target, key) => load()[key],
  set: (target, key, value) => {
    if (types) types[key] = value
    else target[key] = value
    return true
  },
  has: (target, key) => key in load(),
  ownKeys: (target) => [...new Set([...Reflect.ownKeys(load()), ...Reflect.ownKeys(target)])],
  getOwnPropertyDescriptor: (target, key) => {
    const descriptor = Reflect.getOwnPropertyDescriptor(load(), key)
    if (descriptor) descriptor.configurable = true
    return descriptor ?? Reflect.getOwnPropertyDescriptor(target, key)
  },
})
