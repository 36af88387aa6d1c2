// Reading a Node request body byte-exact, and answering a refused delivery
// on a Node response: shared by the Express, Koa and Next.js Pages adapters.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib'
import type getRawBodyType from 'raw-body'
import { WebhookVerificationError } from '../src/errors.js'
import { contentCodings, declaredLength, decodedTooLarge, notValidCoding, unsupportedCoding } from './content-coding.js'

/** True when something already read (or started reading) the request stream. */
export function streamConsumed(req: IncomingMessage): boolean {
  return req.readableDidRead || req.readableEnded || (req as { _body?: unknown })._body === true
}

// raw-body is loaded at the first read, not when a subpath is imported:
// @tragentics/webhooks/next serves App Router routes that never need it, and
// its dependencies read the environment as they load (Deno asks permission).
let rawBody: Promise<typeof getRawBodyType> | undefined
const loadRawBody = () => (rawBody ??= import('raw-body').then((m) => m.default))

function incomplete(detail: string, cause?: unknown): WebhookVerificationError {
  return new WebhookVerificationError('body_incomplete', detail, { cause })
}

/**
 * Reads the whole body of a request that nothing has read yet. A declared
 * length over `limit` is refused before reading; a client that aborts, or a
 * stream destroyed before its end, rejects with `body_incomplete` instead of
 * leaving the request waiting.
 */
export function readNodeBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (req.destroyed) return Promise.reject(incomplete('the request was closed before its body was read'))
  const length = declaredLength(req.headers['content-length'], req.headers['transfer-encoding'] !== undefined)
  if (length !== null && length > limit) {
    return Promise.reject(new WebhookVerificationError('body_too_large', `Content-Length ${length} is over the limit of ${limit} bytes`))
  }
  return new Promise((resolve, reject) => {
    let settled = false
    // raw-body 3 only cleans up on 'close': a stream destroyed without an
    // error before 'end' would leave its callback, and this request, waiting forever.
    const onClose = () => {
      if (settled) return
      settled = true
      reject(incomplete('the request stream closed before its end'))
    }
    req.once('close', onClose)
    // The callback form, not the promise: it runs inside the stream's 'end'
    // handler, before the 'close' that follows on the next tick.
    const done = (err: unknown, body: Buffer) => {
      req.off('close', onClose)
      if (settled) return
      settled = true
      if (err) reject(toBodyError(err as Error))
      else resolve(body)
    }
    loadRawBody().then(
      (getRawBody) => {
        if (!settled) getRawBody(req, { length, limit }, done)
      },
      (err: unknown) => {
        // Not a body error: the package's own dependency is missing.
        req.off('close', onClose)
        settled = true
        reject(err instanceof Error ? err : new Error(String(err)))
      },
    )
  })
}

function toBodyError(err: Error & { type?: string }): WebhookVerificationError {
  switch (err.type) {
    case 'entity.too.large':
      return new WebhookVerificationError('body_too_large', err.message, { cause: err })
    case 'request.size.invalid':
      return incomplete('fewer bytes arrived than Content-Length declared', err)
    case 'request.aborted':
      return incomplete('the client aborted the request', err)
    case 'stream.not.readable':
    case 'stream.encoding.set':
      return new WebhookVerificationError('body_unavailable', 'the request stream was already read or decoded by something else', { cause: err })
    default:
      return incomplete('the request stream failed', err)
  }
}

/**
 * Undoes the request's Content-Encoding (gzip, deflate, br, or a list of
 * them), with the decoded size held to `limit` so a small compressed body
 * cannot expand without bound.
 */
export function decodeContent(raw: Uint8Array, contentEncoding: string | undefined, limit: number): Uint8Array {
  const codings = contentCodings(contentEncoding)
  let body = raw
  for (const coding of codings) {
    const zlibOptions = { maxOutputLength: Math.max(limit, 1) }
    try {
      if (coding === 'gzip') body = gunzipSync(body, zlibOptions)
      else if (coding === 'deflate') body = inflateSync(body, zlibOptions)
      else if (coding === 'br') body = brotliDecompressSync(body, zlibOptions)
      else throw unsupportedCoding(coding)
    } catch (err) {
      if (err instanceof WebhookVerificationError) throw err
      throw err instanceof RangeError ? decodedTooLarge(limit, err) : notValidCoding(coding, err)
    }
  }
  return body
}

/** True when the request carries a Content-Encoding other than identity. */
export function isEncoded(req: IncomingMessage): boolean {
  return contentCodings(req.headers['content-encoding']).length > 0
}

/**
 * Answers a refused delivery in the Tragentics error format: the contract's
 * status, `{"error": "..."}`, `Content-Type: application/json`. When the body
 * was not read to its end the connection is closed after the answer, so a
 * client still sending cannot hold it.
 */
export function sendNodeError(req: IncomingMessage, res: ServerResponse, error: WebhookVerificationError): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const payload = JSON.stringify({ error: error.publicMessage })
  res.statusCode = error.status
  res.setHeader('Content-Type', 'application/json')
  res.setHeader('Content-Length', Buffer.byteLength(payload))
  res.setHeader('Cache-Control', 'no-store')
  if (!req.readableEnded) res.setHeader('Connection', 'close')
  res.end(payload)
}
