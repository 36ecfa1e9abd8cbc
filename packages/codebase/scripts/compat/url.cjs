'use strict'
// Node's `url` for the sandbox: the WHATWG URL and URLSearchParams are core's globals; the legacy
// parse/resolve/format come from the url package (with Node's querystring instead of qs).
const legacy = require('url/url.js')
const punycode = require('punycode')

function codeError(Ctor, code, message) {
  const error = new Ctor(message)
  error.code = code
  return error
}

function domainToASCII(domain) {
  try {
    return new globalThis.URL(`ws://${domain}`).hostname
  } catch {
    return ''
  }
}

function domainToUnicode(domain) {
  const ascii = domainToASCII(domain)
  return ascii === '' ? '' : punycode.toUnicode(ascii)
}

function fileURLToPath(path) {
  const url = typeof path === 'string' ? new globalThis.URL(path) : path
  if (!url || typeof url.href !== 'string') throw codeError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "path" argument must be of type string or an instance of URL')
  if (url.protocol !== 'file:') throw codeError(TypeError, 'ERR_INVALID_URL_SCHEME', 'The URL must be of scheme file')
  if (url.hostname !== '') throw codeError(TypeError, 'ERR_INVALID_FILE_URL_HOST', 'File URL host must be "localhost" or empty on linux')
  const pathname = url.pathname
  if (/%2f/i.test(pathname)) throw codeError(TypeError, 'ERR_INVALID_FILE_URL_PATH', 'File URL path must not include encoded / characters')
  return decodeURIComponent(pathname)
}

function pathToFileURL(filepath) {
  const path = require('path')
  let resolved = path.resolve(filepath)
  if (filepath.endsWith('/') && !resolved.endsWith('/')) resolved += '/'
  const url = new globalThis.URL('file://')
  url.pathname = resolved.replace(/%/g, '%25').replace(/\\/g, '%5C').replace(/\n/g, '%0A').replace(/\r/g, '%0D').replace(/\t/g, '%09')
  return url
}

function urlToHttpOptions(url) {
  const options = {
    protocol: url.protocol,
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    hash: url.hash,
    search: url.search,
    pathname: url.pathname,
    path: `${url.pathname || ''}${url.search || ''}`,
    href: url.href,
  }
  if (url.port !== '') options.port = Number(url.port)
  if (url.username || url.password) options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
  return options
}

function format(urlObject, options) {
  if (urlObject instanceof globalThis.URL) {
    const { auth = true, fragment = true, search = true, unicode = false } = options || {}
    let out = `${urlObject.protocol}`
    if (urlObject.host !== '' || urlObject.protocol === 'file:') out += '//'
    if (auth && (urlObject.username || urlObject.password)) out += `${urlObject.username}${urlObject.password ? `:${urlObject.password}` : ''}@`
    out += unicode ? domainToUnicode(urlObject.hostname) + (urlObject.port ? `:${urlObject.port}` : '') : urlObject.host
    out += urlObject.pathname
    if (search) out += urlObject.search
    if (fragment) out += urlObject.hash
    return out
  }
  return legacy.format(urlObject)
}

module.exports = {
  Url: legacy.Url,
  parse: legacy.parse,
  resolve: legacy.resolve,
  resolveObject: legacy.resolveObject,
  format,
  domainToASCII,
  domainToUnicode,
  fileURLToPath,
  pathToFileURL,
  urlToHttpOptions,
  get URL() {
    return globalThis.URL
  },
  get URLSearchParams() {
    return globalThis.URLSearchParams
  },
}
