/**
 * The VM half of the ping. The host sends a nonce through `measure.ping`; the VM answers with it
 * through a host function only this closure holds, so VM code cannot answer in its place.
 * `__ping()` asks the host for a ping, once until the next ping arrives.
 */
export const vmCode = /* js */ `(function () {
  'use strict'
  const pong = globalThis.__vmm_measure_pong
  const request = globalThis.__vmm_measure_request
  delete globalThis.__vmm_measure_pong
  delete globalThis.__vmm_measure_request
  let requested = false

  __vmm_expose('measure.ping', (nonce) => {
    requested = false
    pong(nonce)
  })

  globalThis.__ping = function __ping() {
    if (requested) return
    requested = true
    request()
  }
})()`
