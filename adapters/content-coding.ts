// The parts of reading a body that do not depend on the runtime: the length
// a request declares, which codings its Content-Encoding lists, and the
// errors each decoding failure is.
import { WebhookVerificationError } from '../src/errors.js'

/** The Content-Length a request declares; null when absent, not a whole number of bytes, or beside a Transfer-Encoding. */
export function declaredLength(contentLength: string | null | undefined, hasTransferEncoding: boolean): number | null {
  if (contentLength === null || contentLength === undefined || hasTransferEncoding) return null
  const length = Number(contentLength)
  return Number.isSafeInteger(length) && length >= 0 ? length : null
}

/** The codings of a Content-Encoding header, in the order they must be undone (the last applied first). */
export function contentCodings(contentEncoding: string | undefined): string[] {
  if (!contentEncoding) return []
  return contentEncoding
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .map((c) => (c === 'x-gzip' ? 'gzip' : c))
    .filter((c) => c !== '' && c !== 'identity')
    .reverse()
}

export function unsupportedCoding(coding: string): WebhookVerificationError {
  return new WebhookVerificationError('invalid_json', `unsupported Content-Encoding ${JSON.stringify(coding)}`)
}

export function decodedTooLarge(limit: number, cause?: unknown): WebhookVerificationError {
  return new WebhookVerificationError('body_too_large', `decoded body over the limit of ${limit} bytes`, { cause })
}

export function notValidCoding(coding: string, cause: unknown): WebhookVerificationError {
  return new WebhookVerificationError('invalid_json', `the body is not valid ${coding}`, { cause })
}
