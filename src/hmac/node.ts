import { createHmac, timingSafeEqual } from 'node:crypto'
import type { HmacBackend } from './types.js'

export const backend: HmacBackend<Uint8Array> = {
  name: 'node:crypto',
  // createHmac takes the key bytes as they are: nothing to prepare.
  importKey: (secret) => secret,
  // Streams the prefix and the body into one HMAC: the body is never copied.
  digest: (key, prefix, body) =>
    typeof body === 'string'
      ? createHmac('sha256', key).update(prefix, 'latin1').update(body, 'utf8').digest()
      : createHmac('sha256', key).update(prefix, 'latin1').update(body).digest(),
  equal: (a, b) => a.length === b.length && timingSafeEqual(a, b),
}
