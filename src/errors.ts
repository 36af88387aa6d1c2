/**
 * The fixed error codes of scheme v1, one per way a delivery can be refused.
 * `switch` on them; they never change within a major version.
 */
export type WebhookErrorCode =
  | 'missing_signature'
  | 'malformed_signature'
  | 'signature_mismatch'
  | 'timestamp_out_of_tolerance'
  | 'replayed_signature'
  | 'invalid_json'
  | 'body_incomplete'
  | 'body_too_large'
  | 'body_unavailable'
  | 'replay_store_unavailable'

/**
 * The HTTP status and the `error` message that a receiver answers for each
 * code, exactly as SIGNATURE-SCHEME.md lists them.
 */
export const WEBHOOK_ERRORS: Readonly<
  Record<WebhookErrorCode, { readonly status: number; readonly message: string }>
> = Object.freeze({
  missing_signature: { status: 401, message: 'Missing X-Tragentics-Signature header' },
  malformed_signature: { status: 401, message: 'Malformed X-Tragentics-Signature header' },
  signature_mismatch: { status: 401, message: 'No signature matches the payload' },
  timestamp_out_of_tolerance: {
    status: 401,
    message: 'Signature timestamp is outside the tolerance window',
  },
  replayed_signature: { status: 401, message: 'Signature has already been used' },
  invalid_json: { status: 400, message: 'Malformed JSON body' },
  body_incomplete: { status: 400, message: 'Request body ended before its declared length' },
  body_too_large: { status: 413, message: 'Request body is too large' },
  body_unavailable: { status: 500, message: 'Internal server error' },
  replay_store_unavailable: {
    status: 503,
    message: 'Replay protection is temporarily unavailable',
  },
})

const ERROR_NAME = 'WebhookVerificationError'

/**
 * A delivery was refused. `code` says why, `status` is the HTTP status to
 * answer, and `message` starts with the contract's message for the code
 * (a detail may follow after a colon). No property ever holds a secret, an
 * expected signature or the body.
 *
 * @example
 * try {
 *   await verify(rawBody, req.headers, secret)
 * } catch (err) {
 *   if (isWebhookVerificationError(err)) res.status(err.status).json({ error: err.publicMessage })
 *   else throw err
 * }
 */
export class WebhookVerificationError extends Error {
  override readonly name = ERROR_NAME
  /** Why the delivery was refused. */
  readonly code: WebhookErrorCode
  /** The HTTP status a receiver answers with. */
  readonly status: number

  /**
   * @param code - one of the contract's codes
   * @param detail - an optional explanation appended to the contract's message
   * @param options - `cause`, the underlying error where there is one
   */
  constructor(code: WebhookErrorCode, detail?: string, options?: { cause?: unknown }) {
    const { status, message } = WEBHOOK_ERRORS[code]
    super(detail ? `${message}: ${detail}` : message, options)
    this.code = code
    this.status = status
  }

  /** The message to send to the client: the contract's, without any detail. */
  get publicMessage(): string {
    return WEBHOOK_ERRORS[this.code].message
  }
}

/**
 * True when `value` is a {@link WebhookVerificationError}, also when it comes
 * from another copy of this package (it matches on `name` and `code` too).
 *
 * @example
 * if (isWebhookVerificationError(err) && err.code === 'timestamp_out_of_tolerance') alertClockSkew()
 */
export function isWebhookVerificationError(value: unknown): value is WebhookVerificationError {
  if (value instanceof WebhookVerificationError) return true
  if (typeof value !== 'object' || value === null) return false
  const candidate = value as { name?: unknown; code?: unknown }
  return (
    candidate.name === ERROR_NAME &&
    typeof candidate.code === 'string' &&
    Object.hasOwn(WEBHOOK_ERRORS, candidate.code)
  )
}
