import type { Context, Middleware, Next } from 'koa'
import { isWebhookVerificationError, WebhookVerificationError } from '../src/errors.js'
import { createDeliveryHandler, splitOnError, type Delivery, type WebhookAdapterOptions } from './delivery.js'
import { decodeContent, isEncoded, readNodeBody, streamConsumed } from './node-body.js'

/**
 * Declare your event type here once and `ctx.state.webhook.event` has it everywhere:
 *
 * ```ts
 * declare module '@tragentics/webhooks/koa' {
 *   interface Register { event: TragenticsEvent }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by module augmentation
export interface Register {}

/** The event type declared through {@link Register}, `unknown` until then. */
export type RegisteredEvent = Register extends { event: infer E } ? E : unknown

/** What `verifyWebhook` puts on `ctx.state.webhook`. */
export type KoaWebhook<TEvent = RegisteredEvent> = Delivery<TEvent>

declare module 'koa' {
  interface DefaultState {
    /** The verified delivery, on routes behind `verifyWebhook()`. */
    webhook: KoaWebhook
  }
}

/** Options of {@link verifyWebhook}. */
export type VerifyWebhookOptions = WebhookAdapterOptions & {
  /**
   * Answers a refused delivery instead of the default JSON error response.
   * Default: the contract's status and `{"error": "..."}`.
   */
  onError?: (error: WebhookVerificationError, ctx: Context, next: Next) => unknown
}

function unavailable(detail: string): WebhookVerificationError {
  return new WebhookVerificationError('body_unavailable', detail)
}

const BODYPARSER_FIX =
  'Fix: mount the router that holds the webhook route before app.use(bodyParser()), ' +
  'or leave the webhook path out of the body parser'

/**
 * The text koa-bodyparser and @koa/bodyparser keep in `ctx.request.rawBody`
 * is the body decoded as UTF-8: a BOM is dropped and invalid bytes become
 * U+FFFD. It is the signed bytes only when it encodes back to exactly the
 * declared Content-Length and holds no U+FFFD; anything else cannot be
 * trusted, and is answered as body_unavailable rather than blamed on the
 * signature.
 */
function fromRawBodyText(ctx: Context, text: string): Buffer {
  const declared = ctx.req.headers['content-length']
  const bytes = Buffer.from(text, 'utf8')
  if (isEncoded(ctx.req)) {
    throw unavailable(`the body parser decompressed a body sent with Content-Encoding ${String(ctx.req.headers['content-encoding'])}; the signature covers the bytes as sent. ${BODYPARSER_FIX}`)
  }
  if (declared === undefined || Number(declared) !== bytes.length || text.includes('\uFFFD')) {
    throw unavailable(
      'the body was read by koa-bodyparser or @koa/bodyparser, which keep ctx.request.rawBody only as text; ' +
        `that text does not give back the ${declared ?? 'undeclared number of'} bytes that were sent (a BOM, invalid UTF-8 or a chunked body). ${BODYPARSER_FIX}`,
    )
  }
  return bytes
}

async function rawBytes(ctx: Context, limit: number): Promise<Buffer> {
  const request = ctx.request as { body?: unknown; rawBody?: unknown }
  if (Buffer.isBuffer(request.body)) {
    if (isEncoded(ctx.req)) throw unavailable(`a body parser kept the body decompressed, but the signature covers the bytes as sent. ${BODYPARSER_FIX}`)
    return request.body
  }
  if (streamConsumed(ctx.req)) {
    if (typeof request.rawBody === 'string') return fromRawBodyText(ctx, request.rawBody)
    throw unavailable(`the request body was already read by a body parser before verifyWebhook() ran, and no raw bytes were kept. ${BODYPARSER_FIX}`)
  }
  return readNodeBody(ctx.req, limit)
}

function respond(ctx: Context, error: WebhookVerificationError): void {
  ctx.status = error.status
  ctx.set('Content-Type', 'application/json')
  ctx.set('Cache-Control', 'no-store')
  if (!ctx.req.readableEnded) ctx.set('Connection', 'close')
  ctx.body = JSON.stringify({ error: error.publicMessage })
}

/**
 * Koa middleware (Koa 2 and 3) that verifies a Tragentics delivery. It reads
 * `ctx.req` itself, byte-exact. A genuine delivery reaches the next
 * middleware with `ctx.state.webhook` (`event`, `rawBody`, `timestamp`,
 * `secretIndex`) and `ctx.request.body` set to the event; a refused one is
 * answered with the contract's status and `{"error": "..."}`.
 *
 * @param options - `secret` or `secrets` (required), `tolerance` (300 s), `now`, `limit` (`'1mb'`),
 *   `parse` (`'json'`), `replayStore`, `logger` (`console.error`), `onError`
 * @throws {TypeError} at creation, when no secret is given or an option is invalid
 * @example
 * router.post('/webhooks', verifyWebhook({ secret: process.env.TRAGENTICS_WEBHOOK_SECRET! }), (ctx) => {
 *   console.log(ctx.state.webhook.event)
 *   ctx.status = 204
 * })
 */
export function verifyWebhook(options: VerifyWebhookOptions): Middleware {
  const [onError, rest] = splitOnError(options)
  const handler = createDeliveryHandler(rest, decodeContent)
  const parseJson = options.parse !== 'none'

  return async (ctx, next) => {
    let delivery: KoaWebhook
    try {
      const raw = await rawBytes(ctx, handler.limit)
      delivery = await handler.process<RegisteredEvent, Buffer>(raw, ctx.req.headers, ctx.req.headers['content-encoding'])
    } catch (err) {
      if (!isWebhookVerificationError(err)) throw err
      if (err.code === 'body_unavailable') handler.reportMisconfiguration(err)
      if (onError) await onError(err, ctx, next)
      else respond(ctx, err)
      return
    }
    ctx.state.webhook = delivery
    ;(ctx.request as { body?: unknown }).body = parseJson ? delivery.event : delivery.rawBody
    await next()
  }
}
