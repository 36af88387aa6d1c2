// The Pages Router's Node side, bound in as '#pages-router' by the node
// build (the web build binds pages-router-edge.ts, which has none).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { WebhookVerificationError } from '../src/errors.js'
import { decodeContent, readNodeBody, sendNodeError, streamConsumed } from './node-body.js'

export interface PagesRouterSupport {
  read: (req: IncomingMessage, limit: number) => Promise<Buffer>
  decode: typeof decodeContent
  respond: (req: IncomingMessage, res: ServerResponse, error: WebhookVerificationError) => void
}

function read(req: IncomingMessage, limit: number): Promise<Buffer> {
  if ((req as { body?: unknown }).body !== undefined || streamConsumed(req)) {
    return Promise.reject(
      new WebhookVerificationError(
        'body_unavailable',
        "Next.js's body parser read the request before the webhook handler could, so its exact bytes are gone. " +
          'Fix: export const config = { api: { bodyParser: false } } from this API route',
      ),
    )
  }
  return readNodeBody(req, limit)
}

export const pagesRouter: PagesRouterSupport | undefined = { read, decode: decodeContent, respond: sendNodeError }
