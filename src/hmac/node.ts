import { isUtf8 } from 'node:buffer'
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { HmacBackend } from './types.js'

export const backend: HmacBackend<Uint8Array> = {
  name: 'node:crypto',
  // A string secret is encoded once here, not by createHmac on every request.
  importKey: (secret) => (typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret),
  // Streams the prefix and the body into one HMAC: the body is never copied.
  digest: (key, prefix, body) =>
    typeof body === 'string'
      ? createHmac('sha256', key).update(prefix, 'latin1').update(body, 'utf8').digest()
      : createHmac('sha256', key).update(prefix, 'latin1').update(body).digest(),
  equal: (a, b) => a.length === b.length && timingSafeEqual(a, b),
  // simdutf's check and Buffer's decoder: faster than a fatal TextDecoder on Node.
  text(bytes) {
    if (!isUtf8(bytes)) throw new TypeError('the body is not valid UTF-8')
    const text = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8')
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  },
}
