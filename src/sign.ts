import { backend } from '#hmac'
import { toHex } from './hex.js'
import { systemClock, toBody, toSecrets, type Payload, type Secret } from './input.js'

/** Options of {@link sign}. */
export interface SignOptions {
  /** The signing time, whole Unix seconds. Default the system clock. */
  timestamp?: number
}

const MAX_TIMESTAMP = 999_999_999_999_999 // 15 digits, the scheme's limit

/**
 * Signs a payload and returns the `X-Tragentics-Signature` header value,
 * `t=<unix seconds>,v1=<hex HMAC-SHA256>`: one `v1` per secret when given
 * several, as a sender does during a rotation.
 *
 * @param payload - the exact body that will be sent: bytes, or a string encoded as UTF-8
 * @param secret - the secret, or an array of secrets (one v1 each, in order)
 * @param options - `timestamp` (default the system clock)
 * @throws {TypeError} when the payload is a parsed object, a secret is empty, or the timestamp is not whole seconds
 * @example
 * const body = JSON.stringify({ type: 'agent.registered' })
 * const header = await sign(body, 'whsec_...')  // 't=1733212800,v1=…'
 */
export async function sign(payload: Payload, secret: Secret | readonly Secret[], options?: SignOptions): Promise<string> {
  const body = toBody(payload)
  const secrets = toSecrets(secret)
  const timestamp = options?.timestamp ?? systemClock()
  if (!Number.isSafeInteger(timestamp) || timestamp < 0 || timestamp > MAX_TIMESTAMP) {
    throw new TypeError(`timestamp must be whole Unix seconds between 0 and ${MAX_TIMESTAMP}, got ${String(timestamp)}`)
  }
  const t = String(timestamp)
  const parts = [`t=${t}`]
  for (const bytes of secrets) {
    const digest = await backend.digest(await backend.importKey(bytes), `${t}.`, body)
    parts.push(`v1=${toHex(digest instanceof Uint8Array ? digest : new Uint8Array(digest))}`)
  }
  return parts.join(',')
}
