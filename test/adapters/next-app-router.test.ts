import { gzipSync } from 'node:zlib'
import { describe, expect, it, vi } from 'vitest'
import { HMAC_BACKEND, MemoryReplayStore, sign } from '@tragentics/webhooks'
import { withWebhook, type WebhookRouteInfo } from '@tragentics/webhooks/next'
import { signedRequest } from '@tragentics/webhooks/testing'
import { vectorBody, vectors, vectorSecrets } from '../vectors.js'
import { contractAnswer } from './helpers.js'

const secret = 'whsec_next_app_router'
const url = 'http://127.0.0.1/api/webhooks'
const event = { id: 'evt_1', type: 'agent.registered' }

function route(options: Parameters<typeof withWebhook>[0]) {
  const handler = vi.fn((event: unknown, info: WebhookRouteInfo) =>
    Response.json({ event: event ?? null, raw: Buffer.from(info.rawBody).toString('base64'), timestamp: info.timestamp, secretIndex: info.secretIndex }),
  )
  return { POST: withWebhook({ logger: () => undefined, ...options }, handler), handler }
}

async function expectRefusal(response: Response, code: Parameters<typeof contractAnswer>[0]) {
  const { status, body } = contractAnswer(code)
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toBe('application/json')
  expect(await response.json()).toEqual(body)
}

describe(`withWebhook (App Router) on ${HMAC_BACKEND}`, () => {
  it.each(vectors.map((v) => [v.name, v] as const))('vector %s', async (_name, v) => {
    const { POST, handler } = route({ secrets: vectorSecrets(v), now: v.now, tolerance: v.tolerance, parse: 'none' })
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (v.header !== null) headers['x-tragentics-signature'] = v.header
    const response = await POST(new Request(url, { method: 'POST', body: new Uint8Array(vectorBody(v)), headers }))
    if (v.expect === 'valid') {
      expect(response.status).toBe(200)
      expect(Buffer.from(((await response.json()) as { raw: string }).raw, 'base64').equals(vectorBody(v))).toBe(true)
      expect(handler).toHaveBeenCalledOnce()
    } else {
      await expectRefusal(response, v.expect)
      expect(handler).not.toHaveBeenCalled()
    }
  })

  it('parses the event and leaves the request usable for its headers and URL', async () => {
    const POST = withWebhook({ secret }, (e, { request, context }) => Response.json({ e, header: request.headers.get('x-request-id'), url: request.url, context }))
    const request = await signedRequest(url, event, secret, { headers: { 'x-request-id': 'r-1' } })
    const response = await POST(request, { params: Promise.resolve({}) })
    expect(await response.json()).toEqual({ e: event, header: 'r-1', url, context: { params: {} } })
  })

  it('refuses a declared Content-Length over the limit before reading', async () => {
    const { POST } = route({ secret, limit: 100 })
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++
        c.enqueue(new Uint8Array(64))
      },
    })
    const request = new Request(url, { method: 'POST', body, headers: { 'content-length': '1000000' }, duplex: 'half' } as RequestInit)
    await expectRefusal(await POST(request), 'body_too_large')
    expect(pulled).toBeLessThanOrEqual(1)
  })

  it('refuses a streamed body that passes the limit', async () => {
    const { POST } = route({ secret, limit: '1kb' })
    const chunks = [new Uint8Array(600), new Uint8Array(600)]
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        const next = chunks.shift()
        if (next) c.enqueue(next)
        else c.close()
      },
    })
    await expectRefusal(await POST(new Request(url, { method: 'POST', body, duplex: 'half' } as RequestInit)), 'body_too_large')
  })

  it('answers body_incomplete, not a mismatch, when fewer bytes arrive than Content-Length declared', async () => {
    const { POST, handler } = route({ secret })
    const body = JSON.stringify(event)
    const request = new Request(url, { method: 'POST', body, headers: { 'x-tragentics-signature': await sign(body, secret), 'content-length': String(body.length + 500) } })
    await expectRefusal(await POST(request), 'body_incomplete')
    expect(handler).not.toHaveBeenCalled()
  })

  it('answers body_incomplete when the body stream errors', async () => {
    const { POST } = route({ secret })
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([123]))
        c.error(new Error('client went away'))
      },
    })
    await expectRefusal(await POST(new Request(url, { method: 'POST', body, duplex: 'half' } as RequestInit)), 'body_incomplete')
  })

  it('answers body_unavailable, and logs the fix once, for a request whose body was already read', async () => {
    const logger = vi.fn()
    const POST = withWebhook({ secret, logger }, () => new Response(null, { status: 204 }))
    for (let i = 0; i < 2; i++) {
      const request = await signedRequest(url, event, secret)
      await request.text()
      await expectRefusal(await POST(request), 'body_unavailable')
    }
    expect(logger).toHaveBeenCalledOnce()
    expect(String(logger.mock.calls[0]?.[0])).toContain('already read')
  })

  it('verifies a gzip delivery over its compressed bytes and parses the decompressed JSON', async () => {
    const { POST } = route({ secret })
    const wire = gzipSync(JSON.stringify(event))
    const request = new Request(url, { method: 'POST', body: wire, headers: { 'content-encoding': 'gzip', 'x-tragentics-signature': await sign(wire, secret) } })
    const response = await POST(request)
    expect(response.status).toBe(200)
    expect(((await response.json()) as { event: unknown }).event).toEqual(event)
  })

  it('refuses a compressed body that expands past the limit', async () => {
    const { POST } = route({ secret, limit: 10_000 })
    const wire = gzipSync(JSON.stringify({ pad: '0'.repeat(1_000_000) }))
    const request = new Request(url, { method: 'POST', body: wire, headers: { 'content-encoding': 'gzip', 'x-tragentics-signature': await sign(wire, secret) } })
    await expectRefusal(await POST(request), 'body_too_large')
  })

  it('refuses invalid JSON with invalid_json', async () => {
    const { POST } = route({ secret })
    await expectRefusal(await POST(await signedRequest(url, 'not json', secret)), 'invalid_json')
  })

  it('accepts either of two secrets, and refuses a replay with a store', async () => {
    const { POST } = route({ secrets: ['whsec_new', secret], replayStore: new MemoryReplayStore() })
    const request = await signedRequest(url, event, secret, { timestamp: Math.floor(Date.now() / 1000) })
    const again = request.clone()
    const first = await POST(request)
    expect(((await first.json()) as { secretIndex: number }).secretIndex).toBe(1)
    await expectRefusal(await POST(again), 'replayed_signature')
  })

  it('hands refusals to onError', async () => {
    const POST = withWebhook({ secret, onError: (err) => Response.json({ code: err.code }, { status: 418 }) }, () => new Response(null))
    const response = await POST(await signedRequest(url, event, secret, { omitSignature: true }))
    expect(response.status).toBe(418)
    expect(await response.json()).toEqual({ code: 'missing_signature' })
  })

  it('during next build, checks the options at the first call instead of at module evaluation', async () => {
    const previous = process.env.NEXT_PHASE
    process.env.NEXT_PHASE = 'phase-production-build'
    try {
      const POST = withWebhook({ secret: process.env.UNSET_SECRET_FOR_THIS_TEST as string }, () => new Response(null))
      await expect(POST(await signedRequest(url, event, secret))).rejects.toThrow(TypeError)
    } finally {
      if (previous === undefined) delete process.env.NEXT_PHASE
      else process.env.NEXT_PHASE = previous
    }
    expect(() => withWebhook({ secret: process.env.UNSET_SECRET_FOR_THIS_TEST as string }, () => new Response(null))).toThrow(TypeError)
  })

  it.each([
    ['no secret', {}, () => new Response()],
    ['a bad onError', { secret, onError: 'x' }, () => new Response()],
    ['no handler', { secret }, undefined],
  ])('throws a TypeError at creation for %s', (_, options, handler) => {
    expect(() => withWebhook(options as never, handler as never)).toThrow(TypeError)
  })
})
