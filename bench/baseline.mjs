// The baseline of the benchmark issue, written out by hand: what any
// verifier of this scheme must at least do. Used by the in-process rows and
// by the HTTP bench's control routes.
import { createHmac, timingSafeEqual } from 'node:crypto'

/** The baseline of the issue: parse t= and v1=, stream the HMAC, timingSafeEqual. */
export function baseline(body, header, secret) {
  let t
  let v1
  for (const part of header.split(',')) {
    const eq = part.indexOf('=')
    const key = part.slice(0, eq)
    if (key === 't') t = part.slice(eq + 1)
    else if (key === 'v1') v1 = part.slice(eq + 1)
  }
  const expected = createHmac('sha256', secret).update(`${t}.`).update(body).digest()
  const given = Buffer.from(v1, 'hex')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error('mismatch')
  if (Math.abs(Date.now() / 1000 - Number(t)) > 300) throw new Error('stale')
  return Number(t)
}

