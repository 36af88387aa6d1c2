// What every adapter shares once it has the raw bytes: the options, the
// verification, the content decoding and JSON parsing, and the one-time log
// of a misconfiguration.
import bytes from 'bytes'
import { WebhookVerificationError } from '../src/errors.js'
import type { SignatureHeaderInput } from '../src/header.js'
import { describe } from '../src/input.js'
import { parseJsonBody } from '../src/json.js'
import { createVerifier, type VerifierOptions } from '../src/verify.js'

/** Options shared by every adapter: the verifier's, and how to read the body. */
export type WebhookAdapterOptions = VerifierOptions & {
  /** The largest body accepted, in bytes or a bytes string (`'1mb'`, `'512kb'`). Default `'1mb'`. */
  limit?: number | string
  /** `'json'` parses the verified body into `event`; `'none'` leaves only the raw bytes. Default `'json'`. */
  parse?: 'json' | 'none'
  /**
   * Where a misconfiguration (a body parser that ran first) is reported, once
   * per middleware, and each delivery accepted unchecked with `onStoreError:
   * 'allow'`. Default `console.error`. Never given a secret or a body.
   */
  logger?: (message: string) => void
}

/** A verified delivery, as an adapter hands it to the application. */
export interface Delivery<TEvent, TBytes extends Uint8Array = Buffer> {
  /** The parsed JSON body (`undefined` with `parse: 'none'`). */
  event: TEvent
  /** The exact bytes that were signed. */
  rawBody: TBytes
  /** The signature's timestamp, Unix seconds. */
  timestamp: number
  /** Which of the configured secrets matched. */
  secretIndex: number
  /** With `onStoreError: 'allow'`, the replay store failure this delivery was accepted despite. */
  replayStoreError?: WebhookVerificationError
}

export const DEFAULT_LIMIT = '1mb'

export interface DeliveryHandler {
  readonly limit: number
  /** Verifies raw bytes against the headers, then decodes and parses them as configured. */
  process<TEvent, TBytes extends Uint8Array>(raw: TBytes, headers: SignatureHeaderInput, contentEncoding: string | null | undefined): Promise<Delivery<TEvent, TBytes>>
  /** Logs a body_unavailable error the first time one happens. */
  reportMisconfiguration(error: WebhookVerificationError): void
}

function toLimit(limit: unknown): number {
  const value = limit === undefined ? DEFAULT_LIMIT : limit
  const parsed = typeof value === 'number' ? value : typeof value === 'string' ? bytes.parse(value) : Number.NaN
  if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed) || parsed < 0) {
    throw new TypeError(`limit must be a number of bytes or a bytes string like '1mb', got ${typeof value === 'string' ? JSON.stringify(value) : typeof value}`)
  }
  return parsed
}

/** Takes an adapter's own `onError` out of its options, checked, when the middleware is created. */
export function splitOnError<E>(options: WebhookAdapterOptions & { onError?: E }): [E | undefined, WebhookAdapterOptions] {
  if (typeof (options as unknown) !== 'object' || (options as unknown) === null) {
    throw new TypeError('verifyWebhook needs options: verifyWebhook({ secret: process.env.TRAGENTICS_WEBHOOK_SECRET })')
  }
  const { onError, ...rest } = options
  if (onError !== undefined && typeof onError !== 'function') throw new TypeError('onError must be a function')
  return [onError, rest]
}

/** Checks the options once, when the middleware is created. */
export function createDeliveryHandler(options: WebhookAdapterOptions, decode: ContentDecoder): DeliveryHandler {
  const { limit: rawLimit, parse = 'json', logger, ...verifierOptions } = options
  const unchecked = options as { parse?: unknown; logger?: unknown }
  if (unchecked.parse !== undefined && unchecked.parse !== 'json' && unchecked.parse !== 'none') {
    throw new TypeError(`parse must be 'json' or 'none', got ${describe(unchecked.parse)}`)
  }
  if (unchecked.logger !== undefined && typeof unchecked.logger !== 'function') {
    throw new TypeError('logger must be a function taking a message, like console.error')
  }
  const limit = toLimit(rawLimit)
  const verifier = createVerifier(verifierOptions)
  const log =
    logger ??
    ((message: string) => {
      // eslint-disable-next-line no-console -- the documented default logger
      console.error(message)
    })
  let reported = false

  return {
    limit,
    async process<TEvent, TBytes extends Uint8Array>(raw: TBytes, headers: SignatureHeaderInput, contentEncoding: string | null | undefined) {
      if (raw.length > limit) throw new WebhookVerificationError('body_too_large', `over the limit of ${limit} bytes`)
      const verified = await verifier.verify(raw, headers)
      if (verified.replayStoreError) {
        const cause = verified.replayStoreError.cause
        log(`@tragentics/webhooks: delivery accepted without a replay check (onStoreError: 'allow'): ${cause instanceof Error ? cause.message : 'the replay store failed'}`)
      }
      const event = parse === 'json' ? parseJsonBody<TEvent>(await decode(raw, contentEncoding ?? undefined, limit)) : (undefined as TEvent)
      return { event, rawBody: raw, ...verified }
    },
    reportMisconfiguration(error) {
      if (reported) return
      reported = true
      // The message after the client-facing "Internal server error: " prefix.
      const detail = error.message.slice(error.publicMessage.length).replace(/^: /, '')
      log(`@tragentics/webhooks: ${error.code}: ${detail || error.message}`)
    },
  }
}

/** Undoes a Content-Encoding so the body can be parsed; `identity` returns the bytes as they are. */
export type ContentDecoder = (raw: Uint8Array, contentEncoding: string | undefined, limit: number) => Uint8Array | Promise<Uint8Array>
