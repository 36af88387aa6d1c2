import type { IncomingMessage } from 'node:http'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { isWebhookVerificationError, WebhookVerificationError } from '../src/errors.js'
import { createDeliveryHandler, splitOnError, type Delivery, type WebhookAdapterOptions } from './delivery.js'
import { decodeContent, isEncoded, readNodeBody, sendNodeError, streamConsumed } from './node-body.js'

/**
 * Declare your event type here once and `req.webhook.event` has it everywhere:
 *
 * ```ts
 * declare module '@tragentics/webhooks/express' {
 *   interface Register { event: TragenticsEvent }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by module augmentation
export interface Register {}

/** The event type declared through {@link Register}, `unknown` until then. */
export type RegisteredEvent = Register extends { event: infer E } ? E : unknown

/** What `verifyWebhook` puts on `req.webhook`. */
export type ExpressWebhook<TEvent = RegisteredEvent> = Delivery<TEvent>

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's own extension point
  namespace Express {
    interface Request {
      /** The verified delivery, on routes behind `verifyWebhook()`. */
      webhook: ExpressWebhook
    }
  }
}

/** Options of {@link verifyWebhook}. */
export type VerifyWebhookOptions = WebhookAdapterOptions & {
  /**
   * Answers a refused delivery instead of the default JSON error response.
   * Default: the contract's status and `{"error": "..."}`.
   */
  onError?: (error: WebhookVerificationError, req: Request, res: Response, next: NextFunction) => unknown
}

const RAW_BODY = Symbol.for('@tragentics/webhooks.rawBody')
type WithRawBody = IncomingMessage & { [RAW_BODY]?: Buffer; body?: unknown }

/**
 * The `verify` hook for `express.json()`, `express.text()` or `express.raw()`:
 * keeps the exact bytes, so `verifyWebhook` still works behind a body parser
 * mounted globally.
 *
 * @example
 * app.use(express.json({ verify: keepRawBody }))
 */
export function keepRawBody(req: IncomingMessage, _res: unknown, buf: Buffer): void {
  ;(req as WithRawBody)[RAW_BODY] = buf
}

function parserName(req: WithRawBody): string {
  const type = req.headers['content-type'] ?? ''
  if (typeof req.body === 'string') return 'express.text()'
  if (req.body !== null && typeof req.body === 'object') {
    if (type.includes('json')) return 'express.json()'
    if (type.includes('urlencoded')) return 'express.urlencoded()'
  }
  return 'another body parser'
}

function unavailable(detail: string): WebhookVerificationError {
  return new WebhookVerificationError('body_unavailable', detail)
}

/** The exact bytes of the delivery: kept by keepRawBody, left by express.raw(), or read from the stream. */
function rawBytes(req: WithRawBody, limit: number): Promise<Buffer> {
  const upstream = req[RAW_BODY] ?? (Buffer.isBuffer(req.body) ? req.body : undefined)
  if (upstream) {
    if (isEncoded(req)) {
      return Promise.reject(
        unavailable(
          `the body arrived with Content-Encoding ${String(req.headers['content-encoding'])} and a body parser kept it decompressed, ` +
            'but the signature covers the bytes as sent. Fix: mount verifyWebhook() on the route before any body parser, so it reads the request itself',
        ),
      )
    }
    return Promise.resolve(upstream)
  }
  if (streamConsumed(req)) {
    const parser = parserName(req)
    return Promise.reject(
      unavailable(
        `the request body was already read by ${parser} before verifyWebhook() ran, and no raw bytes were kept. ` +
          `Fix: register the webhook route, app.post(path, verifyWebhook(options), handler), before app.use(${parser === 'another body parser' ? 'yourBodyParser' : parser}), ` +
          `or keep the bytes with app.use(express.json({ verify: keepRawBody }))`,
      ),
    )
  }
  return readNodeBody(req, limit)
}

/**
 * Express middleware (Express 4 and 5) that verifies a Tragentics delivery.
 * It gets the raw bytes itself, or from `express.raw()` or `keepRawBody`
 * before it. A genuine delivery reaches the next handler with `req.webhook`
 * (`event`, `rawBody`, `timestamp`, `secretIndex`) and `req.body` set to the
 * event; a refused one is answered with the contract's status and
 * `{"error": "..."}`, and the next handler is not called.
 *
 * @param options - `secret` or `secrets` (required), `tolerance` (300 s), `now`, `limit` (`'1mb'`),
 *   `parse` (`'json'`), `replayStore`, `logger` (`console.error`), `onError`
 * @throws {TypeError} at creation, when no secret is given or an option is invalid
 * @example
 * app.post('/webhooks', verifyWebhook({ secret: process.env.TRAGENTICS_WEBHOOK_SECRET! }), (req, res) => {
 *   console.log(req.webhook.event)
 *   res.sendStatus(204)
 * })
 */
export function verifyWebhook(options: VerifyWebhookOptions): RequestHandler {
  const [onError, rest] = splitOnError(options)
  const handler = createDeliveryHandler(rest, decodeContent)
  const parseJson = options.parse !== 'none'

  return (req, res, next) => {
    const request = req as Request & WithRawBody
    rawBytes(request, handler.limit)
      .then((raw) => handler.process<RegisteredEvent, Buffer>(raw, req.headers, req.headers['content-encoding']))
      .then(
        (delivery) => {
          request.webhook = delivery
          request.body = parseJson ? delivery.event : delivery.rawBody
          next()
        },
        (err: unknown) => {
          if (!isWebhookVerificationError(err)) {
            next(err)
            return
          }
          if (err.code === 'body_unavailable') handler.reportMisconfiguration(err)
          if (!onError) {
            sendNodeError(req, res, err)
            return
          }
          try {
            Promise.resolve(onError(err, req, res, next)).catch(next)
          } catch (thrown) {
            next(thrown)
          }
        },
      )
  }
}
