'use strict'
// Node's querystring semantics for the legacy url.parse(…, true) and url.format (the url package
// ships qs, which nests `a[b]=1`; Node does not).
function decode(value) {
  const text = value.replace(/\+/g, ' ')
  try {
    return decodeURIComponent(text)
  } catch {
    return unescape(text)
  }
}

function parse(query, sep, eq) {
  if (typeof sep !== 'string' || sep === '') sep = '&'
  if (typeof eq !== 'string' || eq === '') eq = '='
  const out = Object.create(null)
  if (typeof query !== 'string' || query.length === 0) return out
  for (const part of query.split(sep)) {
    if (part === '') continue
    const at = part.indexOf(eq)
    const key = decode(at === -1 ? part : part.slice(0, at))
    const value = at === -1 ? '' : decode(part.slice(at + eq.length))
    if (!(key in out)) out[key] = value
    else if (Array.isArray(out[key])) out[key].push(value)
    else out[key] = [out[key], value]
  }
  return out
}

const escape = (value) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
const primitive = (value) => (typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'bigint' || typeof value === 'boolean' ? String(value) : '')

function stringify(object, sep, eq) {
  if (typeof sep !== 'string') sep = '&'
  if (typeof eq !== 'string') eq = '='
  if (object === null || typeof object !== 'object') return ''
  const parts = []
  for (const key of Object.keys(object)) {
    const value = object[key]
    const name = escape(primitive(key)) + eq
    if (Array.isArray(value)) for (const item of value) parts.push(name + escape(primitive(item)))
    else parts.push(name + escape(primitive(value)))
  }
  return parts.join(sep)
}

module.exports = { parse, stringify, escape, unescape: decode, decode: parse, encode: stringify }
