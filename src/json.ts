import { backend } from '#hmac'
import { WebhookVerificationError } from './errors.js'

/** Parses a verified body as JSON; `invalid_json` when it is not JSON, or not UTF-8. */
export function parseJsonBody<T>(body: string | Uint8Array): T {
  try {
    return JSON.parse(typeof body === 'string' ? body : backend.text(body)) as T
  } catch (cause) {
    throw new WebhookVerificationError('invalid_json', undefined, { cause })
  }
}
