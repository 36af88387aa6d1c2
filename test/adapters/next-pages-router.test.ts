import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { NextApiRequest, NextApiResponse } from 'next'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MemoryReplayStore, sign } from '@tragentics/webhooks'
import { withWebhookApiRoute, type WithWebhookApiRouteOptions } from '@tragentics/webhooks/next'
import { vectorBody, vectors, vectorSecrets } from '../vectors.js'
import { contractAnswer, eventBody, signedHeaders } from './helpers.js'

const secret = 'whsec_next_pages'
const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => { s.close(() => r()) })))
})

/**
 * Serves a wrapped API route on a real Node server, the way Next.js calls
 * it: with bodyParser off nothing touches the request; with it on (as Next
 * does by default) the body is parsed into req.body first.
 */
async function serve(options: WithWebhookApiRouteOptions, { bodyParser = false, truncatingProxy = false } = {}) {
  const handler = vi.fn((event: unknown, req: NextApiRequest & { webhook: { rawBody: Buffer } }, res: NextApiResponse) => {
    res.statusCode = 200
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ event: event ?? null, raw: req.webhook.rawBody.toString('base64') }))
  })
  const route = withWebhookApiRoute({ logger: () => undefined, ...options }, handler)
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // A proxy in front that cut the body short but kept the header: the stream ends cleanly, early.
    if (truncatingProxy) req.headers['content-length'] = String(Number(req.headers['content-length']) + 10)
    const call = () => void route(req as NextApiRequest, res as NextApiResponse)
    if (!bodyParser) return call()
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      ;(req as { body?: unknown }).body = JSON.parse(Buffer.concat(chunks).toString() || 'null')
      call()
    })
  })
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks`, port: (server.address() as AddressInfo).port, handler }
}

describe('withWebhookApiRoute (Pages Router)', () => {
  it.each(vectors.map((v) => [v.name, v] as const))('vector %s', async (_name, v) => {
    const { url, handler } = await serve({ secrets: vectorSecrets(v), now: v.now, tolerance: v.tolerance, parse: 'none' })
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (v.header !== null) headers['x-tragentics-signature'] = v.header
    const response = await fetch(url, { method: 'POST', body: new Uint8Array(vectorBody(v)), headers })
    if (v.expect === 'valid') {
      expect(response.status).toBe(200)
      expect(Buffer.from(((await response.json()) as { raw: string }).raw, 'base64').equals(vectorBody(v))).toBe(true)
    } else {
      const { status, body } = contractAnswer(v.expect)
      expect(response.status).toBe(status)
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(await response.json()).toEqual(body)
      expect(handler).not.toHaveBeenCalled()
    }
  })

  it('hands the parsed event and req.webhook to the handler', async () => {
    const { url } = await serve({ secret })
    const { headers, wire } = await signedHeaders(eventBody, { secret })
    const response = await fetch(url, { method: 'POST', body: new Uint8Array(wire), headers })
    expect(((await response.json()) as { event: unknown }).event).toEqual(JSON.parse(eventBody))
  })

  it('answers body_unavailable when bodyParser was left on, and says to turn it off', async () => {
    const logger = vi.fn()
    const { url, handler } = await serve({ secret, logger }, { bodyParser: true })
    const { headers, wire } = await signedHeaders(eventBody, { secret })
    const response = await fetch(url, { method: 'POST', body: new Uint8Array(wire), headers })
    expect(response.status).toBe(500)
    expect(await response.json()).toEqual({ error: 'Internal server error' })
    expect(handler).not.toHaveBeenCalled()
    expect(String(logger.mock.calls[0]?.[0])).toContain('export const config = { api: { bodyParser: false } }')
  })

  it('passes the error with the same fix to onError', async () => {
    let message = ''
    const { url } = await serve(
      {
        secret,
        onError: (err, _req, res) => {
          message = err.message
          res.statusCode = err.status
          res.end()
        },
      },
      { bodyParser: true },
    )
    const { headers, wire } = await signedHeaders(eventBody, { secret })
    await fetch(url, { method: 'POST', body: new Uint8Array(wire), headers })
    expect(message).toContain('bodyParser: false')
  })

  it('answers body_incomplete, never a mismatch, when the body ends short of Content-Length', async () => {
    const { url, handler } = await serve({ secret }, { truncatingProxy: true })
    const { headers, wire } = await signedHeaders(eventBody, { secret })
    const response = await fetch(url, { method: 'POST', body: new Uint8Array(wire), headers })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual(contractAnswer('body_incomplete').body)
    expect(handler).not.toHaveBeenCalled()
  })

  it('refuses a replayed delivery with a MemoryReplayStore', async () => {
    const { url, handler } = await serve({ secret, replayStore: new MemoryReplayStore() })
    const { headers, wire } = await signedHeaders(eventBody, { secret })
    expect((await fetch(url, { method: 'POST', body: new Uint8Array(wire), headers })).status).toBe(200)
    const replay = await fetch(url, { method: 'POST', body: new Uint8Array(wire), headers })
    expect(replay.status).toBe(401)
    expect(await replay.json()).toEqual(contractAnswer('replayed_signature').body)
    expect(handler).toHaveBeenCalledOnce()
  })

  it('refuses a body over the limit with 413', async () => {
    const { url } = await serve({ secret, limit: 100 })
    const body = JSON.stringify({ pad: 'x'.repeat(500) })
    const response = await fetch(url, { method: 'POST', body, headers: { 'x-tragentics-signature': await sign(body, secret) } })
    expect(response.status).toBe(413)
    expect(await response.json()).toEqual(contractAnswer('body_too_large').body)
  })
})
