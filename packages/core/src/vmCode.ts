import { findUncloneable } from './findUncloneable.js'

/** Operations of the bridge function (first argument): the hot paths first. */
export const BRIDGE = { invoke: 1, settle: 2, run: 3, admin: 4, exported: 5 } as const

/**
 * Kinds of entries in the install spec, one array each: `[host, name, mode, target]`,
 * `[json, name, value]`, `[script, name, index]`, `[value, name, index, nested]`. Arrays, not
 * objects: JSON.parse builds an object's shape one property at a time, which in a fresh isolate
 * costs microseconds per property.
 */
export const SPEC = { host: 0, json: 1, script: 2, value: 3 } as const

/**
 * Core's VM-side half of the bridge. Evaluates to a function that takes the host's `deliver`
 * callback, its `compatHost` hook and the libraries' references to install (see install), and
 * returns the bridge function, the one the host keeps a Reference to. Nothing here stays
 * reachable from VM globals except `global`, `exposeCallables` and the installed references.
 * Envelopes: `{ t: 0, v }` value, `{ t: 1, e }` error info, `{ t: 2, id }` pending host promise.
 * `compatHost(op, arg)` is the host's sync hook for the web globals (see webCode.ts): `load`
 * compiles and runs an embedded script and returns its value, `random` gives bytes, `clone` copies
 * a value there and back, `idna` maps a host name to ASCII, `shared` tells the host that VM code
 * may make shared memory from now on.
 */
export const bootstrapCode = /* js */ `(function (deliverToHost, compatHost, specJson, baseline, values) {
'use strict'
// The host targets of the references follow, from arguments[5] on (a rest parameter would rule
// out 'use strict'; slicing them off costs more than indexing in a fresh isolate).
const hostArgs = arguments
const arraySlice = Array.prototype.slice
const G = globalThis
const apply = Reflect.apply
const defineProperty = Reflect.defineProperty
const getOwnPropertyDescriptor = Reflect.getOwnPropertyDescriptor
const ownKeys = Reflect.ownKeys
const getPrototypeOf = Reflect.getPrototypeOf
const ObjectKeys = Object.keys
const ObjectProto = Object.prototype
const isArray = Array.isArray
const arrayFrom = Array.from
const PromiseCtor = Promise
const promiseThen = Promise.prototype.then
const MapCtor = Map
const mapGet = Map.prototype.get
const mapSet = Map.prototype.set
const mapDelete = Map.prototype.delete
const mapKeys = Map.prototype.keys
const StringCtor = String
const ErrorCtor = Error
// Separate constants, not an object of them: in a fresh isolate an object literal of seven
// properties costs ~20 µs (a map transition each), seven constants almost nothing.
const TypeErrorCtor = TypeError
const RangeErrorCtor = RangeError
const SyntaxErrorCtor = SyntaxError
const ReferenceErrorCtor = ReferenceError
const EvalErrorCtor = EvalError
const URIErrorCtor = URIError
const hasOwn = Object.prototype.hasOwnProperty
const is = Object.is
const CALL_ERROR = '\\u0000vm-machine:call-error:'
const jsonStringify = JSON.stringify
const jsonParse = JSON.parse
const findUncloneable = ${findUncloneable.toString()}

const callables = new MapCtor()
const pendingHostCalls = new MapCtor()
const exported = { __proto__: null }
let nextHostCall = 1

// Functions of the run and call paths are written '(function …)': V8 compiles such functions
// eagerly, so the code cache made at the first compile holds them and no VM compiles them again.
// Error and recovery paths stay lazy: every VM would load their code from the cache otherwise.
const then = (function then(p, ok, fail) { return apply(promiseThen, p, [ok, fail]) })
const toPromise = (value) => new PromiseCtor((resolve) => resolve(value))
const noop = function noop() {}
// A native promise for a promise or any thenable; undefined for plain values.
const asPromise = (function asPromise(value) {
  if (value instanceof PromiseCtor) return value
  if (value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function') return toPromise(value)
  return undefined
})

const errorInfo = function errorInfo(error) {
  try {
    if (error !== null && (typeof error === 'object' || typeof error === 'function') && error instanceof ErrorCtor) {
      const info = { name: 'Error', message: '' }
      const name = error.name
      const message = error.message
      const stack = error.stack
      const code = error.code
      if (typeof name === 'string') info.name = name
      info.message = typeof message === 'string' ? message : StringCtor(message)
      if (typeof stack === 'string') info.stack = stack
      if (typeof code === 'string') info.code = code
      if (typeof error.exitCode === 'number') info.exitCode = error.exitCode
      return info
    }
    const type = typeof error
    const info = { name: 'Error', message: type === 'string' ? error : 'Uncaught ' + StringCtor(error) }
    if (error === null || (type !== 'object' && type !== 'function' && type !== 'symbol')) info.thrown = error
    return info
  } catch (inner) {
    return { name: 'Error', message: 'The VM threw a value that cannot be read' }
  }
}

function errorCtor(name) {
  switch (name) {
    case 'TypeError': return TypeErrorCtor
    case 'RangeError': return RangeErrorCtor
    case 'SyntaxError': return SyntaxErrorCtor
    case 'ReferenceError': return ReferenceErrorCtor
    case 'EvalError': return EvalErrorCtor
    case 'URIError': return URIErrorCtor
    default: return ErrorCtor
  }
}

function makeError(info) {
  const Ctor = errorCtor(info.name)
  const error = new Ctor(info.message)
  if (Ctor === ErrorCtor && info.name !== 'Error') defineProperty(error, 'name', { value: info.name, writable: true, configurable: true })
  if (info.code !== undefined) defineProperty(error, 'code', { value: info.code, writable: true, configurable: true, enumerable: true })
  if (typeof info.stack === 'string') defineProperty(error, 'stack', { value: info.stack, writable: true, configurable: true })
  return error
}

function transferError(where, value, cause) {
  const found = findUncloneable(value, where)
  const path = found ? found.path : where
  const detail = found ? found.what : StringCtor(cause && cause.message)
  return makeError({ name: 'VMTransferError', code: 'VM_ERR_TRANSFER', message: path + ' cannot be copied between VM and host (' + detail + ')' })
}

const ok = (function ok(value) { return { t: 0, v: value } })
const fail = function fail(error) { return { t: 1, e: errorInfo(error) } }

// Returns false when the value could not be copied and a transfer error went instead.
const deliver = function deliver(id, envelope) {
  try {
    deliverToHost(id, envelope)
    return true
  } catch (cause) {
    const found = findUncloneable(envelope.v, 'result')
    deliverToHost(id, { t: 1, transfer: found ? found.path : 'result', detail: found ? found.what : StringCtor(cause && cause.message) })
    return false
  }
}

function registerCallables(source, where) {
  if (source === null || typeof source !== 'object') throw new TypeError(where + ' expects an object of functions')
  const keys = ObjectKeys(source)
  for (let i = 0; i < keys.length; i++) {
    const value = source[keys[i]]
    if (typeof value !== 'function') throw new TypeError(where + ': ' + keys[i] + ' is not a function')
    apply(mapSet, callables, [keys[i], value])
  }
}

const splitResult = (function splitResult(value) {
  if (value === null || typeof value !== 'object' || isArray(value)) return value
  const proto = getPrototypeOf(value)
  if (proto !== ObjectProto && proto !== null) return value
  const data = {}
  const keys = ObjectKeys(value)
  for (let i = 0; i < keys.length; i++) {
    const item = value[keys[i]]
    if (typeof item === 'function') apply(mapSet, callables, [keys[i], item])
    else if (keys[i] === '__proto__') defineOwn(data, keys[i], item)
    else data[keys[i]] = item
  }
  return data
})
// An own property named __proto__ stays one (assigning it would replace the prototype).
const defineOwn = function defineOwn(object, key, value) {
  defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true })
}

// Outcomes kept by call id until the host acknowledges them, so one lost to a failure of its task
// (an unhandled rejection in it, a value that cannot be cloned) can still be recovered: envelopes
// of sync outcomes in \`slots\`, the promises of async ones in \`running\`.
const slots = new MapCtor()
const running = new MapCtor()
const forget = (function forget(id) {
  apply(mapDelete, slots, [id])
  apply(mapDelete, running, [id])
})
const callError = function callError(id, envelope) {
  apply(mapSet, slots, [id, envelope])
  let json
  try {
    json = jsonStringify(envelope)
  } catch (unserializable) {
    json = jsonStringify({ t: 1, e: { name: envelope.e ? envelope.e.name : 'Error', message: envelope.e ? envelope.e.message : 'unknown error' } })
  }
  return new ErrorCtor(CALL_ERROR + json)
}
const release = (function release(acks) {
  if (typeof acks === 'number') return forget(acks)
  for (let i = 0; i < acks.length; i++) forget(acks[i])
})
// Hands a recovered outcome to the host; its status for the host's bookkeeping.
const handOver = function handOver(id, envelope) {
  if (envelope.t === 1) {
    deliver(id, envelope)
    return 'failed'
  }
  return deliver(id, envelope) ? 'delivered' : 'transfer'
}

// Host calls: each wrapper below is a small method (its name is the global's, and like a built-in
// it is not a constructor) around one of these helpers, which are in parentheses so V8 compiles
// them with the script and the code cache holds them: they first run after setup.
const unwrap = (function unwrap(envelope) {
  if (envelope.t === 0) return envelope.v
  if (envelope.t === 1) throw makeError(envelope.e)
  return awaitHost(envelope.id)
})

const callHost = (function callHost(name, target, args) {
  try {
    return apply(target, undefined, args)
  } catch (cause) {
    throw copyFailure(name, args, cause)
  }
})
// Host errors arrive as envelopes, so a throw from a host call is a copy failure: of the arguments
// or, if they are fine, of the host's return value. (Compiled on first use, like every error path.)
function copyFailure(name, args, cause) {
  if (findUncloneable(args, '') !== undefined) return transferError(name + ' arguments', args, cause)
  return makeError({ name: 'VMTransferError', code: 'VM_ERR_TRANSFER', message: name + '() returned a value that cannot be copied between host and VM (' + StringCtor(cause && cause.message) + ')' })
}

// A promise that settle() resolves or rejects when the host answers host call \`id\`. Its resolve
// and reject are taken by one shared executor (it runs synchronously), not a closure per call.
let captured
const capture = (function capture(resolve, reject) { captured = [resolve, reject] })
const awaitHost = (function awaitHost(id) {
  const promise = new PromiseCtor(capture)
  apply(mapSet, pendingHostCalls, [id, captured])
  captured = undefined
  return promise
})

const callHostAsync = (function callHostAsync(name, target, args) {
  const id = nextHostCall++
  const promise = awaitHost(id)
  try {
    apply(target, undefined, [id, ...args])
  } catch (cause) {
    const settlers = apply(mapGet, pendingHostCalls, [id])
    apply(mapDelete, pendingHostCalls, [id])
    settlers[1](transferError(name + ' arguments', args, cause))
  }
  return promise
})

// Made on first use: in a fresh isolate even a small object literal costs microseconds.
let copyArguments
// Not in parentheses: blocking host functions are rare (a library opts in), and every VM would load
// this function's code from the cache otherwise.
function callHostBlocking(name, target, applySyncPromise, args) {
  // Primitives cross as they are; only objects need a structured copy.
  let options
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg !== null && (typeof arg === 'object' || typeof arg === 'function' || typeof arg === 'symbol')) {
      options = copyArguments || (copyArguments = { arguments: { copy: true } })
      break
    }
  }
  try {
    return apply(applySyncPromise, target, [undefined, args, options])
  } catch (cause) {
    const message = cause && cause.message
    if (typeof message === 'string' && message.startsWith(CALL_ERROR)) throw makeError(jsonParse(message.slice(CALL_ERROR.length)))
    if (typeof message === 'string' && /default thread/.test(message)) throw makeError({ name: 'Error', code: 'VM_ERR_STATE', message: name + ' blocks until the host answers, which only works while run(), a call or a timer is executing, not in library setup code' })
    throw transferError(name + ' arguments', args, cause)
  }
}

function wrapHostFunction(name, mode, target) {
  if (mode === 'async') return ({ [name](...args) { return callHostAsync(name, target, args) } })[name]
  if (mode === 'ignored') return ({ [name](...args) { callHost(name, target, args) } })[name]
  if (mode === 'blocking') {
    const applySyncPromise = target.applySyncPromise
    return ({ [name](...args) { return callHostBlocking(name, target, applySyncPromise, args) } })[name]
  }
  return ({ [name](...args) { return unwrap(callHost(name, target, args)) } })[name]
}

// A vmScript() reference: the host compiles and runs the script on the first call; its value is kept.
function scriptLoader(index) {
  let loaded = false
  let value
  return function load() {
    if (!loaded) {
      value = compatHost('script', index)
      loaded = true
    }
    return value
  }
}

function setPath(root, path, value) {
  let node = root
  for (let i = 0; i < path.length - 1; i++) node = node[path[i]]
  const key = path[path.length - 1]
  if (key === '__proto__') defineOwn(node, key, value)
  else node[key] = value
}

// Values of the globals as changes() last saw them (made on first use: only the first VM of a
// composition of libraries attributes globals).
let snapshot
// A lazy global that replaced itself with its value counts as unchanged.
function readGlobal(key) {
  const descriptor = getOwnPropertyDescriptor(G, key)
  if (descriptor === undefined) return undefined
  if (!apply(hasOwn, descriptor, ['value'])) return descriptor.get
  const lazy = apply(mapGet, materialized, [key])
  return lazy !== undefined && is(lazy[1], descriptor.value) ? lazy[0] : descriptor.value
}

// ---- lazy globals: an accessor that evaluates the implementation on first read, then becomes a
// plain writable data property; assigning first replaces it without evaluating anything.
const materialized = new MapCtor()
// The descriptors are V8's own: objects returned by getOwnPropertyDescriptor have shapes made at
// startup, where an object literal of four properties builds its shape property by property
// (~15 µs in a fresh isolate). Each is filled in right before the one call that reads it.
const accessorDescriptor = getOwnPropertyDescriptor(ObjectProto, '__proto__') // enumerable: false, configurable: true
const dataDescriptor = getOwnPropertyDescriptor(G, 'globalThis') // writable: true, enumerable: false, configurable: true
// The accessor's functions are in parentheses, like the run path's: they first run when VM code
// reads the global, after the code cache was made, and would be compiled then in every VM.
function defineLazyGlobal(name, load) {
  if (typeof name !== 'string' || typeof load !== 'function') throw new TypeError('__vmm_lazy_global(name, load) needs a name and a function')
  const get = (function () {
    const value = load()
    lazyToData(name, value)
    apply(mapSet, materialized, [name, [get, value]])
    return value
  })
  accessorDescriptor.get = get
  accessorDescriptor.set = (function (value) { lazyToData(name, value) })
  defineProperty(G, name, accessorDescriptor)
  accessorDescriptor.get = accessorDescriptor.set = undefined
}
const lazyToData = (function lazyToData(name, value) {
  dataDescriptor.value = value
  defineProperty(G, name, dataDescriptor)
  dataDescriptor.value = undefined
})

let web
let url
const loadWeb = () => web || (web = compatHost('load', 'web')({ random: (length) => compatHost('random', length), clone: (value) => compatHost('clone', value) }))
const loadUrl = () => url || (url = compatHost('load', 'url')(loadWeb().TextEncoder, loadWeb().TextDecoder, (domain) => compatHost('idna', domain)))
const webNames = ['TextEncoder', 'TextDecoder', 'atob', 'btoa', 'structuredClone', 'queueMicrotask', 'crypto', 'DOMException']
for (let i = 0; i < webNames.length; i++) defineLazyGlobal(webNames[i], () => loadWeb()[webNames[i]])
defineLazyGlobal('URL', () => loadUrl().URL)
defineLazyGlobal('URLSearchParams', () => loadUrl().URLSearchParams)
// Shared memory: isolated-vm gives the host a SharedArrayBuffer's memory itself, not a copy. VM
// code can only make one through these two globals, so the first read of either tells the host,
// which from then on copies any shared memory that leaves the VM (see fromVm in transfer.ts).
const sharedNames = ['SharedArrayBuffer', 'WebAssembly']
for (let i = 0; i < sharedNames.length; i++) {
  const original = G[sharedNames[i]]
  if (original !== undefined) defineLazyGlobal(sharedNames[i], () => (compatHost('shared'), original))
}

dataDescriptor.value = G
defineProperty(G, 'global', dataDescriptor)
dataDescriptor.value = undefined
G.exposeCallables = function exposeCallables(functions) {
  registerCallables(functions, 'exposeCallables')
}
G.__vmm_expose = function __vmm_expose(name, fn) {
  if (typeof fn !== 'function') throw new TypeError('__vmm_expose(' + name + ') needs a function')
  exported[name] = function (...args) {
    let result
    try {
      result = apply(fn, undefined, args)
    } catch (error) {
      return fail(error)
    }
    const promise = asPromise(result)
    return promise ? then(promise, ok, fail) : ok(result)
  }
}

G.__vmm_lazy_global = defineLazyGlobal

const namespaces = new MapCtor()
G.__vmm_take_namespace = function __vmm_take_namespace(id) {
  const namespace = apply(mapGet, namespaces, [id])
  apply(mapDelete, namespaces, [id])
  return namespace
}

// Installs the libraries' references, then takes the baseline for changes() unless \`baseline\` is
// undefined (null: every global; else the JSON names to look at). \`spec\` comes as JSON, data
// values as one copied array: in a fresh isolate a string crosses far cheaper than a copied object.
// Host targets are the factory's arguments from index 5.
function install(specJson, baseline, values, targets) {
  const spec = jsonParse(specJson)
  for (let i = 0; i < spec.length; i++) {
    const item = spec[i]
    const kind = item[0]
    const name = item[1]
    if (kind === ${SPEC.host}) {
      G[name] = wrapHostFunction(name, item[2], targets[5 + item[3]])
    } else if (kind === ${SPEC.json}) {
      G[name] = item[2]
    } else if (kind === ${SPEC.script}) {
      G[name] = scriptLoader(item[2])
    } else {
      const value = values[item[2]]
      const nested = item[3]
      for (let j = 0; j < nested.length; j++) {
        const [path, index, mode] = nested[j]
        setPath(value, path, mode === 'script' ? scriptLoader(index) : wrapHostFunction(path[path.length - 1], 'sync', targets[5 + index]))
      }
      G[name] = value
    }
  }
  if (baseline !== undefined) changes(baseline === null ? undefined : baseline)
}

// ---- library setup and rare operations (BRIDGE.admin): plain functions, no object literal of
// methods to build in every fresh VM.
// The outcome kept for a task that failed as a whole, handed over through deliver once settled.
// Its status: 'failed' (the call's own rejection), 'transfer' (its value could not be copied),
// 'delivered', or 'pending' (handed over when it settles).
function recover(id) {
  const kept = apply(mapGet, slots, [id])
  const promise = apply(mapGet, running, [id])
  forget(id)
  if (kept !== undefined) return handOver(id, kept)
  if (promise === undefined) return 'orphan'
  let status
  then(promise, (function (value) { status = handOver(id, ok(value)) }), (function (error) {
    // A run's rejection is a marked error whose envelope callError kept.
    const marked = apply(mapGet, slots, [id])
    apply(mapDelete, slots, [id])
    status = handOver(id, marked !== undefined ? marked : fail(error))
  }))
  // A promise that has settled already runs its handler in the first round of microtasks,
  // before this one.
  return then(toPromise(undefined), (function () { return status === undefined ? 'pending' : status }))
}
// Calls a function registered with __vmm_expose (VM#getVmFunction); it returns an envelope or a
// promise of one.
function callExported(name, args) {
  const fn = exported[name]
  if (fn === undefined) throw new TypeError('No VM function ' + StringCtor(name) + ' was registered with __vmm_expose')
  return apply(fn, undefined, args)
}
function callableNames() {
  return arrayFrom(apply(mapKeys, callables, []))
}
function putNamespace(id, namespace) {
  apply(mapSet, namespaces, [id, namespace])
}
// Names of globals added or replaced since the previous call (the first call takes the baseline),
// as JSON. With \`names\` (JSON of an array), looks at those globals only (a missing one counts as
// unchanged, as in a full scan).
function changes(names) {
  const changed = []
  if (snapshot === undefined) snapshot = { __proto__: null }
  const keys = names === undefined ? ownKeys(G) : jsonParse(names)
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]
    if (typeof key !== 'string') continue
    if (names !== undefined && !apply(hasOwn, G, [key])) continue
    const value = readGlobal(key)
    if (!(key in snapshot) || !is(snapshot[key], value)) {
      changed.push(key)
      snapshot[key] = value
    }
  }
  return jsonStringify(changed)
}
// Ends library setup. Returns, as JSON, [changes(watch) when \`watch\` is given, the names
// registered with __vmm_expose] (the host calls them through the bridge, BRIDGE.exported).
function seal(watch) {
  const changed = watch === undefined ? '[]' : changes(watch)
  delete G.__vmm_expose
  delete G.__vmm_take_namespace
  delete G.__vmm_lazy_global
  snapshot = undefined
  return '[' + changed + ',' + jsonStringify(ObjectKeys(exported)) + ']'
}

// run(code) ($0 in VM#run's closure): takes the id and the acknowledgements and returns the
// function that starts the user's function. VM#run's closure clears $0–$2 while making this call
// and calls the returned function at once, before any user code runs, so code that closes the
// wrapper early reaches neither the bridge, nor the ids, nor the start function. Like invoke, the
// task's result is the value (functions in a returned plain object become callables), or a
// promise of it, kept by id until acknowledged; a failure rejects with (or throws) a marked error.
// \`plain\` (1): the user's function is a plain one, whose result the host copies as it is: a
// promise it returns fails that copy and is recovered by id, so its rejection counts as handled.
// A run's value with its callables taken out; a getter that throws fails the run.
const runValue = (function runValue(id, value) {
  try {
    return splitResult(value)
  } catch (error) {
    throw callError(id, fail(error))
  }
})
const run = (function run(id, acks, plain) {
  if (acks !== 0) release(acks)
  return (function start(fn) {
    let result
    try {
      result = apply(fn, G, [])
    } catch (error) {
      throw callError(id, fail(error))
    }
    const pending = asPromise(result)
    if (pending === undefined) {
      const value = runValue(id, result)
      apply(mapSet, slots, [id, ok(value)])
      return value
    }
    const promise = then(pending, (function (value) { return runValue(id, value) }), (function (error) { throw callError(id, fail(error)) }))
    if (plain === 1) then(promise, undefined, noop)
    apply(mapSet, running, [id, promise])
    return promise
  })
})
// The call's value is the task's result (a promise of it for async callables): one message, as
// cheap as a raw apply. A failure rejects with a marked error whose message carries the error
// envelope as JSON. The outcome stays in \`slots\` or \`running\` until the host acknowledges it.
const invoke = (function invoke(id, acks, name, args) {
  if (acks !== 0) release(acks)
  const fn = apply(mapGet, callables, [name])
  if (fn === undefined) throw callError(id, { t: 1, unknown: name, names: arrayFrom(apply(mapKeys, callables, [])) })
  let result
  try {
    result = apply(fn, undefined, args)
  } catch (error) {
    throw callError(id, fail(error))
  }
  const promise = asPromise(result)
  if (promise) {
    // The promise itself goes to the host (no derived promise, no handler on the hot path). A
    // rejection reaches the host as a task failure and is recovered by id.
    apply(mapSet, running, [id, promise])
    return promise
  }
  apply(mapSet, slots, [id, ok(result)])
  return result
})
// The host's answer to an async host call.
const settle = (function settle(id, ok, payload) {
  const entry = apply(mapGet, pendingHostCalls, [id])
  if (entry === undefined) return
  apply(mapDelete, pendingHostCalls, [id])
  if (ok) entry[0](payload)
  else entry[1](makeError(payload))
})

install(specJson, baseline, values, hostArgs)

// The one function the host keeps a Reference to (one Reference instead of one per entry: each
// costs a sync lookup at startup). \`op\`: see BRIDGE in vmCode.ts.
return (function bridge(op, a, b, c, ...rest) {
  if (op === ${BRIDGE.invoke}) return invoke(a, b, c, rest)
  if (op === ${BRIDGE.settle}) return settle(a, b, c)
  if (op === ${BRIDGE.run}) return run(a, b, c)
  if (op === ${BRIDGE.exported}) return callExported(a, apply(arraySlice, arguments, [2]))
  if (op === ${BRIDGE.admin}) {
    switch (a) {
      case 'recover': return recover(b)
      case 'callableNames': return callableNames()
      case 'putNamespace': return putNamespace(b, c)
      case 'changes': return changes(b)
      case 'seal': return seal(b)
    }
  }
  throw new TypeError('Unknown bridge operation ' + StringCtor(op) + ' ' + StringCtor(a))
})
})`
