import { WebhookVerificationError } from './errors.js'

const decoder = new TextDecoder('utf-8', { fatal: true })

/** Parses a verified body as JSON; `invalid_json` when it is not JSON, or not UTF-8. */
export function parseJsonBody<T>(body: string | Uint8Array): T {
  try {
    return JSON.parse(typeof body === 'string' ? body : decoder.decode(body)) as T
  } catch (cause) {
    throw new WebhookVerificationError('invalid_json', undefined, { cause })
  }
}
