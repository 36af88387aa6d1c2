// Reading a Fetch Request's body with a limit, undoing its Content-Encoding,
// and answering a refused delivery with a Fetch Response: for route handlers
// on any runtime (Next.js App Router on Node or edge, Workers, Deno, Bun).
import { WebhookVerificationError } from '../src/errors.js'
import { contentCodings, declaredLength, decodedTooLarge, notValidCoding, unsupportedCoding } from './content-coding.js'

async function readAll(stream: ReadableStream<Uint8Array>, limit: number, tooLarge: () => WebhookVerificationError): Promise<Uint8Array> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > limit) {
      void reader.cancel().catch(() => undefined)
      throw tooLarge()
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array
  const body = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.length
  }
  return body
}

/**
 * Reads a request's whole body once. A declared length over `limit` is
 * refused before reading; fewer bytes than declared is `body_incomplete`
 * (a proxy that cut the body short), never a signature mismatch.
 */
export async function readFetchBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = declaredLength(request.headers.get('content-length'), request.headers.has('transfer-encoding'))
  if (declared !== null && declared > limit) {
    throw new WebhookVerificationError('body_too_large', `Content-Length ${declared} is over the limit of ${limit} bytes`)
  }
  if (request.bodyUsed) {
    throw new WebhookVerificationError(
      'body_unavailable',
      'the request body was already read (request.json(), .text() or .formData()) before the webhook handler: hand withWebhook the untouched request',
    )
  }
  if (request.body === null) return new Uint8Array(0)
  let body: Uint8Array
  try {
    body = await readAll(request.body, limit, () => new WebhookVerificationError('body_too_large', `over the limit of ${limit} bytes`))
  } catch (err) {
    if (err instanceof WebhookVerificationError) throw err
    throw new WebhookVerificationError('body_incomplete', 'the request body stream failed before its end', { cause: err })
  }
  if (declared !== null && body.length < declared) {
    throw new WebhookVerificationError(
      'body_incomplete',
      `${body.length} of the ${declared} bytes Content-Length declared arrived (a proxy or Next.js middleware may have cut the body at its size limit)`,
    )
  }
  return body
}

/** Undoes gzip and deflate with DecompressionStream, the decoded size held to `limit`. */
export async function decodeFetchContent(raw: Uint8Array, contentEncoding: string | undefined, limit: number): Promise<Uint8Array> {
  let body = raw
  for (const coding of contentCodings(contentEncoding)) {
    if (coding !== 'gzip' && coding !== 'deflate') throw unsupportedCoding(coding)
    const stream = new Blob([body as BlobPart]).stream().pipeThrough(new DecompressionStream(coding))
    try {
      body = await readAll(stream, limit, () => decodedTooLarge(limit))
    } catch (err) {
      if (err instanceof WebhookVerificationError) throw err
      throw notValidCoding(coding, err)
    }
  }
  return body
}

/** A refused delivery in the Tragentics error format: the contract's status and `{"error": "..."}`. */
export function errorResponse(error: WebhookVerificationError): Response {
  return new Response(JSON.stringify({ error: error.publicMessage }), {
    status: error.status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  })
}
