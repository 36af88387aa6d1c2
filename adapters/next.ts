import type { NextApiRequest, NextApiResponse } from 'next'
import { pagesRouter } from '#pages-router'
import { isWebhookVerificationError, WebhookVerificationError } from '../src/errors.js'
import { createDeliveryHandler, splitOnError, type Delivery, type WebhookAdapterOptions } from './delivery.js'
import { decodeFetchContent, errorResponse, readFetchBody } from './fetch-body.js'

/**
 * Declare your event type here once and every handler's `event` has it:
 *
 * ```ts
 * declare module '@tragentics/webhooks/next' {
 *   interface Register { event: TragenticsEvent }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by module augmentation
export interface Register {}

/** The event type declared through {@link Register}, `unknown` until then. */
export type RegisteredEvent = Register extends { event: infer E } ? E : unknown

/** What a route handler gets besides the event. */
export interface WebhookRouteInfo extends Omit<Delivery<unknown, Uint8Array>, 'event'> {
  /** The request; its body has been read, its headers and URL are all there. */
  request: Request
  /** The route's second argument from Next.js (`{ params }`), passed through. */
  context: unknown
}

/** Options of {@link withWebhook}. */
export type WithWebhookOptions = WebhookAdapterOptions & {
  /** Answers a refused delivery instead of the default JSON error response. */
  onError?: (error: WebhookVerificationError, request: Request) => Response | Promise<Response>
}

/** Options of {@link withWebhookApiRoute}. */
export type WithWebhookApiRouteOptions = WebhookAdapterOptions & {
  /** Answers a refused delivery instead of the default JSON error response. */
  onError?: (error: WebhookVerificationError, req: NextApiRequest, res: NextApiResponse) => unknown
}

/** A Pages Router request once verified: `req.webhook` holds the delivery. */
export type VerifiedApiRequest<TEvent = RegisteredEvent> = NextApiRequest & { webhook: Delivery<TEvent> }

/**
 * `next build` evaluates every route module to collect its configuration,
 * usually without the runtime's secrets. While it does (NEXT_PHASE is
 * phase-production-build), the options are checked when the route is first
 * called instead of at module evaluation; at run time, as everywhere else,
 * a missing secret throws when the module loads.
 */
function nextPhase(): string | undefined {
  try {
    return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.NEXT_PHASE
  } catch {
    return undefined // Deno without --allow-env throws on reading the environment
  }
}

function deferredDuringNextBuild<T>(create: () => T): () => T {
  if (nextPhase() !== 'phase-production-build') {
    const created = create()
    return () => created
  }
  let created: T | undefined
  return () => (created ??= create())
}

/**
 * Wraps an App Router route handler (`app/.../route.ts`) so it runs only for
 * a genuine delivery. Typed against the standard `Request`, so it serves any
 * Fetch-style runtime: the Node runtime (node:crypto) and
 * `export const runtime = 'edge'` (WebCrypto, no node:crypto in the bundle).
 * The body is read once; a refused delivery is answered with the contract's
 * status and `{"error": "..."}`.
 *
 * @param options - `secret` or `secrets` (required), `tolerance` (300 s), `now`, `limit` (`'1mb'`),
 *   `parse` (`'json'`), `replayStore`, `onStoreError`, `logger` (`console.error`), `onError`
 * @param handler - gets the event and `{ request, rawBody, timestamp, secretIndex, context }`
 * @throws {TypeError} at creation (during `next build`, at the first call), when no secret is given or an option is invalid
 * @example
 * export const POST = withWebhook({ secret: process.env.TRAGENTICS_WEBHOOK_SECRET! }, async (event) => {
 *   console.log(event)
 *   return new Response(null, { status: 204 })
 * })
 */
export function withWebhook<TEvent = RegisteredEvent>(
  options: WithWebhookOptions,
  handler: (event: TEvent, info: WebhookRouteInfo) => Response | Promise<Response>,
): (request: Request, context?: unknown) => Promise<Response> {
  const [onError, rest] = splitOnError(options)
  if (typeof handler !== 'function') throw new TypeError('withWebhook(options, handler): the handler must be a function')
  const handlerFor = deferredDuringNextBuild(() => createDeliveryHandler(rest, decodeFetchContent))

  return async (request, context) => {
    const deliveries = handlerFor()
    let delivery: Delivery<TEvent, Uint8Array>
    try {
      const raw = await readFetchBody(request, deliveries.limit)
      delivery = await deliveries.process<TEvent, Uint8Array>(raw, request.headers, request.headers.get('content-encoding'))
    } catch (err) {
      if (!isWebhookVerificationError(err)) throw err
      if (err.code === 'body_unavailable') deliveries.reportMisconfiguration(err)
      return onError ? onError(err, request) : errorResponse(err)
    }
    const { event, ...info } = delivery
    return handler(event, { ...info, request, context })
  }
}

/**
 * Wraps a Pages Router API route (`pages/api/...`) so it runs only for a
 * genuine delivery. The route must turn Next's body parser off, so the
 * wrapper can read the exact bytes:
 * `export const config = { api: { bodyParser: false } }`. Left on, every
 * delivery is answered `body_unavailable` (500) and the log says so.
 *
 * @param options - as {@link withWebhook}, `onError` taking `(err, req, res)`
 * @param handler - gets the event, the request (with `req.webhook`) and the response
 * @throws {TypeError} at creation, when no secret is given or an option is invalid, or off Node.js
 * @example
 * export const config = { api: { bodyParser: false } }
 * export default withWebhookApiRoute({ secret: process.env.TRAGENTICS_WEBHOOK_SECRET! }, async (event, req, res) => {
 *   res.status(204).end()
 * })
 */
export function withWebhookApiRoute<TEvent = RegisteredEvent>(
  options: WithWebhookApiRouteOptions,
  handler: (event: TEvent, req: VerifiedApiRequest<TEvent>, res: NextApiResponse) => unknown,
): (req: NextApiRequest, res: NextApiResponse) => Promise<void> {
  if (!pagesRouter) throw new TypeError('withWebhookApiRoute serves Pages Router API routes, which run on Node.js; on the edge runtime use withWebhook')
  const { read, decode, respond } = pagesRouter
  const [onError, rest] = splitOnError(options)
  if (typeof handler !== 'function') throw new TypeError('withWebhookApiRoute(options, handler): the handler must be a function')
  const handlerFor = deferredDuringNextBuild(() => createDeliveryHandler(rest, decode))

  return async (req, res) => {
    const deliveries = handlerFor()
    let delivery: Delivery<TEvent>
    try {
      const raw = await read(req, deliveries.limit)
      delivery = await deliveries.process<TEvent, Buffer>(raw, req.headers, req.headers['content-encoding'])
    } catch (err) {
      if (!isWebhookVerificationError(err)) throw err
      if (err.code === 'body_unavailable') deliveries.reportMisconfiguration(err)
      if (onError) await onError(err, req, res)
      else respond(req, res, err)
      return
    }
    const verified = req as VerifiedApiRequest<TEvent>
    verified.webhook = delivery
    await handler(delivery.event, verified, res)
  }
}
