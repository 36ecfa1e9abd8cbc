'use strict'
// Stands in for tr46 (UTS #46 with a 200 KB mapping table) inside the embedded whatwg-url: ASCII
// hosts only need lower-casing; any other host goes to the host's own domainToASCII (Node's UTS #46),
// which `__vmm_domainToASCII` (a parameter of the embedded bundle) calls.
const plainAscii = /^[\x00-\x7f]*$/
const punycodeLabel = /(^|\.)xn--/i

module.exports = {
  toASCII(domain) {
    if (plainAscii.test(domain) && !punycodeLabel.test(domain)) return domain.toLowerCase()
    const ascii = __vmm_domainToASCII(domain)
    return ascii === '' ? null : ascii
  },
  toUnicode(domain) {
    return { domain, error: false }
  },
}
