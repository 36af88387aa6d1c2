import { createServer, type Server } from 'node:http'
import { gzipSync } from 'node:zlib'
import express5, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express'
import express4 from 'express4'
import request from 'supertest'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { keepRawBody, verifyWebhook, type VerifyWebhookOptions } from '../../adapters/express.js'
import { sign, type ReplayStore, type WebhookErrorCode } from '@tragentics/webhooks'
import { vectorBody, vectors, vectorSecrets } from '../vectors.js'
import { chunked, contractAnswer, deferred, eventBody, itAnswersEveryVector, listen, requestHead, secret, sendRaw, signedHeaders } from './helpers.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => { s.close(() => r()) })))
})

/**
 * supertest against the app, served on 127.0.0.1 only. The identity
 * serializer sends a Buffer as its bytes (superagent would JSON-encode it).
 */
function post(app: Express, path = '/webhooks') {
  const server = createServer(app).listen(0, '127.0.0.1')
  servers.push(server)
  return request(server).post(path).serialize((body: unknown) => body as string)
}

const received: RequestHandler = (req, res) => {
  res.status(200).json({
    event: req.webhook.event ?? null,
    raw: req.webhook.rawBody.toString('base64'),
    timestamp: req.webhook.timestamp,
    secretIndex: req.webhook.secretIndex,
    bodyIsEvent: req.body === req.webhook.event || req.body === req.webhook.rawBody,
  })
}

describe.each([
  ['Express 4', express4],
  ['Express 5', express5],
] as const)('%s', (_, express) => {
  function app(options: VerifyWebhookOptions, ...before: RequestHandler[]): { app: Express; handler: ReturnType<typeof vi.fn> } {
    const a = express()
    const handler = vi.fn(received)
    for (const mw of before) a.use(mw)
    a.post('/webhooks', verifyWebhook({ logger: () => undefined, ...options }), handler)
    return { app: a, handler }
  }

  describe('every vector', () => {
    itAnswersEveryVector((options) => {
      const { app: a, handler } = app(options)
      return { post: post(a), handler }
    })

    it.each(vectors.filter((v) => v.expect === 'valid').map((v) => [v.name, v] as const))('%s with parse: json', async (_name, v) => {
      const { app: a } = app({ secrets: vectorSecrets(v), now: v.now, tolerance: v.tolerance })
      const body = vectorBody(v)
      const res = await post(a).set('content-type', 'application/json').set('x-tragentics-signature', v.header ?? '').send(body)
      let parsed: unknown
      try {
        parsed = JSON.parse(body.toString('utf8'))
      } catch {
        parsed = undefined
      }
      if (parsed === undefined || body.length === 0 || !body.equals(Buffer.from(body.toString('utf8')))) {
        expect(res.status).toBe(400)
        expect(res.body).toEqual(contractAnswer('invalid_json').body)
      } else {
        expect(res.status).toBe(200)
        expect(res.body.event).toEqual(parsed)
        expect(res.body.bodyIsEvent).toBe(true)
      }
    })
  })

  describe('mount orders', () => {
    it('alone on the route: reads the stream itself', async () => {
      const { app: a } = app({ secret })
      const { headers, wire } = await signedHeaders(eventBody)
      const res = await post(a).set(headers).send(wire)
      expect(res.status).toBe(200)
      expect(res.body.event).toEqual(JSON.parse(eventBody))
      expect(Buffer.from(res.body.raw as string, 'base64').toString()).toBe(eventBody)
    })

    it('rejects a body re-serialized by express.json() with body_unavailable, and logs the fix once', async () => {
      const logger = vi.fn()
      const a = express()
      a.use(express.json())
      const handler = vi.fn(received)
      a.post('/webhooks', verifyWebhook({ secret, logger }), handler)
      const { headers, wire } = await signedHeaders(eventBody)
      for (let i = 0; i < 3; i++) {
        const res = await post(a).set(headers).send(wire)
        expect(res.status).toBe(500)
        expect(res.headers['content-type']).toBe('application/json')
        expect(res.body).toEqual({ error: 'Internal server error' })
      }
      expect(handler).not.toHaveBeenCalled()
      expect(logger).toHaveBeenCalledOnce()
      const message = String(logger.mock.calls[0]?.[0])
      expect(message).toContain('express.json()')
      expect(message).toContain('keepRawBody')
      expect(message).toMatch(/before app\.use\(express\.json\(\)\)/)
      expect(message).not.toContain(secret)
      expect(message).not.toContain('agt_42')
    })

    it('logs through console.error by default', async () => {
      const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined)
      try {
        const a = express()
        a.use(express.text({ type: '*/*' }))
        a.post('/webhooks', verifyWebhook({ secret }), received)
        const { headers, wire } = await signedHeaders(eventBody)
        const res = await post(a).set(headers).send(wire)
        expect(res.status).toBe(500)
        expect(spy).toHaveBeenCalledOnce()
        expect(String(spy.mock.calls[0]?.[0])).toContain('express.text()')
      } finally {
        spy.mockRestore()
      }
    })

    it('accepts a delivery behind a global express.json({ verify: keepRawBody })', async () => {
      const a = express()
      a.use(express.json({ verify: keepRawBody }))
      a.post('/webhooks', verifyWebhook({ secret }), received)
      const pretty = JSON.stringify(JSON.parse(eventBody), null, 2)
      const { headers, wire } = await signedHeaders(pretty)
      const res = await post(a).set(headers).send(wire)
      expect(res.status).toBe(200)
      expect(Buffer.from(res.body.raw as string, 'base64').toString()).toBe(pretty)
      expect(res.body.event).toEqual(JSON.parse(eventBody))
    })

    it('accepts a delivery after express.raw()', async () => {
      const { app: a } = app({ secret }, express.raw({ type: '*/*' }))
      const { headers, wire } = await signedHeaders(eventBody)
      const res = await post(a).set(headers).send(wire)
      expect(res.status).toBe(200)
      expect(res.body.event).toEqual(JSON.parse(eventBody))
    })

    it('reads the stream itself when a global express.json() skipped a body of another type', async () => {
      const { app: a } = app({ secret, parse: 'none' }, express.json())
      const body = 'plain text, not JSON'
      const { headers } = await signedHeaders(body)
      const res = await post(a).set(headers).set('content-type', 'text/plain').send(body)
      expect(res.status).toBe(200)
      expect(Buffer.from(res.body.raw as string, 'base64').toString()).toBe(body)
    })

    it('answers body_unavailable when another middleware drained the stream', async () => {
      const logger = vi.fn()
      const a = express()
      a.use((req, _res, next) => {
        req.on('end', () => next()).resume()
      })
      a.post('/webhooks', verifyWebhook({ secret, logger }), received)
      const { headers, wire } = await signedHeaders(eventBody)
      const res = await post(a).set(headers).send(wire)
      expect(res.status).toBe(500)
      expect(String(logger.mock.calls[0]?.[0])).toContain('another body parser')
    })
  })

  describe('limits and streams', () => {
    it('refuses a body over the limit while streaming it (no Content-Length)', async () => {
      const { app: a, handler } = app({ secret, limit: 1024 })
      const { port } = await listenApp(a)
      const big = Buffer.alloc(4096, 'a')
      const head = requestHead('/webhooks', { 'transfer-encoding': 'chunked', 'x-tragentics-signature': await sign(big, secret), 'content-type': 'application/json' })
      const res = await sendRaw(port, [head, ...chunked([big.subarray(0, 2048), big.subarray(2048)])])
      expect(res?.status).toBe(413)
      expect(JSON.parse(res?.body ?? '')).toEqual(contractAnswer('body_too_large').body)
      expect(handler).not.toHaveBeenCalled()
    })

    it('refuses a declared Content-Length over the limit before reading a byte', async () => {
      const { app: a } = app({ secret })
      const { port } = await listenApp(a)
      // The headers promise 2 MB that never come: only an answer before reading can arrive.
      const head = requestHead('/webhooks', { 'content-length': 2 * 1024 * 1024, 'x-tragentics-signature': 't=1,v1=' + '0'.repeat(64), 'content-type': 'application/json' })
      const res = await sendRaw(port, [head], { timeoutMs: 3000 })
      expect(res?.status).toBe(413)
      expect(res?.headers.connection).toBe('close')
    })

    it('takes limit as a bytes string', async () => {
      const { app: a } = app({ secret, limit: '1kb' })
      const body = JSON.stringify({ pad: 'x'.repeat(2000) })
      const { headers } = await signedHeaders(body)
      const res = await post(a).set(headers).send(body)
      expect(res.status).toBe(413)
    })

    it('applies the limit to bytes another parser kept too', async () => {
      const { app: a } = app({ secret, limit: 100 }, express.raw({ type: '*/*', limit: '10mb' }))
      const body = JSON.stringify({ pad: 'x'.repeat(200) })
      const { headers } = await signedHeaders(body)
      expect((await post(a).set(headers).send(body)).status).toBe(413)
    })

    it('answers body_incomplete, never a mismatch, when fewer bytes arrive than Content-Length declared', async () => {
      // A proxy in front that cut the body short but kept the header: the stream ends cleanly, early.
      const truncatingProxy: RequestHandler = (req, _res, next) => {
        req.headers['content-length'] = String(Number(req.headers['content-length']) + 100)
        next()
      }
      const { app: a, handler } = app({ secret }, truncatingProxy)
      const { headers, wire } = await signedHeaders(eventBody)
      const res = await post(a).set(headers).send(wire)
      expect(res.status).toBe(400)
      expect(res.headers['content-type']).toBe('application/json')
      expect(res.body).toEqual(contractAnswer('body_incomplete').body)
      expect(handler).not.toHaveBeenCalled()
    })

    it('settles with body_incomplete when the client half-closes short of Content-Length', async () => {
      const seen = deferred<WebhookErrorCode>()
      const { app: a, handler } = app({ secret, onError: (err, req, res) => (seen.resolve(err.code), res.status(err.status).end()) })
      const { port } = await listenApp(a)
      const head = requestHead('/webhooks', { 'content-length': 500, 'x-tragentics-signature': await sign(eventBody, secret), 'content-type': 'application/json' })
      const res = await sendRaw(port, [head, eventBody.slice(0, 20)], { halfClose: true })
      expect(await seen.promise).toBe('body_incomplete')
      expect(handler).not.toHaveBeenCalled()
      // Node's HTTP parser answers a request cut off by the client itself with its own 400.
      if (res !== null) expect(res.status).toBe(400)
    })

    it('settles with body_incomplete, in bounded time, when the client aborts mid-body', async () => {
      const seen = deferred<WebhookErrorCode>()
      const { app: a, handler } = app({ secret, onError: (err) => seen.resolve(err.code) })
      const { port } = await listenApp(a)
      const head = requestHead('/webhooks', { 'content-length': 500, 'x-tragentics-signature': await sign(eventBody, secret), 'content-type': 'application/json' })
      await sendRaw(port, [head, eventBody.slice(0, 20)], { destroyAfterMs: 20 })
      expect(await seen.promise).toBe('body_incomplete')
      expect(handler).not.toHaveBeenCalled()
    })

    it('does not hang when a middleware destroys the stream before its end', async () => {
      const seen = deferred<WebhookErrorCode>()
      const a = express()
      a.use((req, _res, next) => {
        setTimeout(() => req.destroy(), 30)
        next()
      })
      a.post('/webhooks', verifyWebhook({ secret, onError: (err) => seen.resolve(err.code) }), received)
      const { port } = await listenApp(a)
      const head = requestHead('/webhooks', { 'content-length': 500, 'x-tragentics-signature': await sign(eventBody, secret) })
      await sendRaw(port, [head, 'partial'], { destroyAfterMs: 500 })
      expect(await seen.promise).toBe('body_incomplete')
    })

    it('answers body_incomplete for a stream destroyed before the middleware ran', async () => {
      const seen = deferred<WebhookErrorCode>()
      const a = express()
      a.use((req, _res, next) => {
        req.destroy()
        next()
      })
      a.post('/webhooks', verifyWebhook({ secret, onError: (err) => seen.resolve(err.code) }), received)
      const { port } = await listenApp(a)
      await sendRaw(port, [requestHead('/webhooks', { 'content-length': 5 }), 'hello'])
      expect(await seen.promise).toBe('body_incomplete')
    })

    it('verifies an empty body (and refuses it as JSON)', async () => {
      const none = app({ secret, parse: 'none' })
      const { headers } = await signedHeaders('')
      const ok = await post(none.app).set(headers).send('')
      expect(ok.status).toBe(200)
      expect(ok.body.raw).toBe('')
      const json = app({ secret })
      const refused = await post(json.app).set(headers).send('')
      expect(refused.status).toBe(400)
      expect(refused.body).toEqual(contractAnswer('invalid_json').body)
    })

    it('verifies a binary body byte for byte', async () => {
      const { app: a } = app({ secret, parse: 'none' })
      const body = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f, 0xc3, 0x28, 0x0a, 0xef, 0xbb, 0xbf])
      const { headers } = await signedHeaders(body)
      const res = await post(a).set(headers).set('content-type', 'application/octet-stream').send(body)
      expect(res.status).toBe(200)
      expect(Buffer.from(res.body.raw as string, 'base64').equals(body)).toBe(true)
    })

    it('verifies a chunked body with a multibyte character split across chunks', async () => {
      const { app: a } = app({ secret })
      const { port } = await listenApp(a)
      const body = Buffer.from(JSON.stringify({ msg: 'héllo 世界 🚀' }))
      const rocket = body.indexOf(Buffer.from('🚀'))
      const head = requestHead('/webhooks', { 'transfer-encoding': 'chunked', 'content-type': 'application/json', 'x-tragentics-signature': await sign(body, secret) })
      const res = await sendRaw(port, [head, ...chunked([body.subarray(0, rocket + 1), body.subarray(rocket + 1, rocket + 3), body.subarray(rocket + 3)])])
      expect(res?.status).toBe(200)
      expect(JSON.parse(res?.body ?? '{}').event).toEqual({ msg: 'héllo 世界 🚀' })
    })
  })

  describe('compressed bodies: the signature covers the bytes as sent', () => {
    it('accepts a gzip delivery signed over its compressed bytes, and parses the decompressed JSON', async () => {
      const { app: a } = app({ secret })
      const { headers, wire } = await signedHeaders(eventBody, { gzip: true })
      const res = await post(a).set(headers).send(wire)
      expect(res.status).toBe(200)
      expect(res.body.event).toEqual(JSON.parse(eventBody))
      expect(Buffer.from(res.body.raw as string, 'base64').equals(wire)).toBe(true)
    })

    it('refuses a gzip delivery signed over the decompressed bytes', async () => {
      const { app: a } = app({ secret })
      const wire = gzipSync(eventBody)
      const res = await post(a).set({ 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-tragentics-signature': await sign(eventBody, secret) }).send(wire)
      expect(res.status).toBe(401)
      expect(res.body).toEqual(contractAnswer('signature_mismatch').body)
    })

    it('answers body_unavailable when express.json() inflated the body before it', async () => {
      const logger = vi.fn()
      const a = express()
      a.use(express.json({ verify: keepRawBody }))
      a.post('/webhooks', verifyWebhook({ secret, logger }), received)
      const { headers, wire } = await signedHeaders(eventBody, { gzip: true })
      const res = await post(a).set(headers).send(wire)
      expect(res.status).toBe(500)
      expect(String(logger.mock.calls[0]?.[0])).toMatch(/Content-Encoding gzip/)
    })

    it('refuses a body that expands past the limit', async () => {
      const { app: a } = app({ secret, limit: 10_000 })
      const bomb = gzipSync(JSON.stringify({ pad: '0'.repeat(1_000_000) }))
      expect(bomb.length).toBeLessThan(10_000)
      const res = await post(a).set({ 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-tragentics-signature': await sign(bomb, secret) }).send(bomb)
      expect(res.status).toBe(413)
    })

    it('refuses an unknown Content-Encoding as invalid_json once the signature holds', async () => {
      const { app: a } = app({ secret })
      const res = await post(a).set({ 'content-type': 'application/json', 'content-encoding': 'compress', 'x-tragentics-signature': await sign(eventBody, secret) }).send(eventBody)
      expect(res.status).toBe(400)
      expect(res.body).toEqual(contractAnswer('invalid_json').body)
    })
  })

  describe('options', () => {
    it('accepts either of two secrets and says which matched', async () => {
      const { app: a } = app({ secrets: ['whsec_new', secret] })
      const withOld = await signedHeaders(eventBody)
      expect((await post(a).set(withOld.headers).send(eventBody)).body.secretIndex).toBe(1)
      const withNew = await signedHeaders(eventBody, { secret: 'whsec_new' })
      expect((await post(a).set(withNew.headers).send(eventBody)).body.secretIndex).toBe(0)
    })

    it("with parse: 'none' leaves the event undefined and req.body the raw Buffer", async () => {
      const a = express()
      a.post('/webhooks', verifyWebhook({ secret, parse: 'none' }), (req, res) => {
        res.json({ event: req.webhook.event === undefined, isBuffer: Buffer.isBuffer(req.body), same: req.body === req.webhook.rawBody })
      })
      const { headers } = await signedHeaders('not json at all')
      const res = await post(a).set(headers).send('not json at all')
      expect(res.body).toEqual({ event: true, isBuffer: true, same: true })
    })

    it('hands refusals to onError, which answers instead', async () => {
      const onError = vi.fn<NonNullable<VerifyWebhookOptions['onError']>>((err, _req, res) => {
        res.status(err.status).json({ error: err.publicMessage, code: err.code })
      })
      const { app: a, handler } = app({ secret, onError })
      const res = await post(a).set('x-tragentics-signature', 'garbage').send(eventBody)
      expect(res.status).toBe(401)
      expect(res.body).toEqual({ error: 'Malformed X-Tragentics-Signature header', code: 'malformed_signature' })
      expect(onError).toHaveBeenCalledOnce()
      expect(handler).not.toHaveBeenCalled()
    })

    it('passes an error thrown by onError, sync or async, to the Express error handler', async () => {
      for (const onError of [
        () => {
          throw new Error('from onError')
        },
        () => Promise.reject(new Error('from onError')),
      ]) {
        const a = express()
        a.post('/webhooks', verifyWebhook({ secret, onError }), received)
        a.use(((err: Error, _req, res, _next) => {
          res.status(599).json({ caught: err.message })
        }) as ErrorRequestHandler)
        const res = await post(a).send(eventBody)
        expect(res.status).toBe(599)
        expect(res.body).toEqual({ caught: 'from onError' })
      }
    })

    it('can hand refusals to next(err) for the app’s own error handler', async () => {
      const a = express()
      a.post('/webhooks', verifyWebhook({ secret, onError: (err, _req, _res, next) => next(err) }), received)
      a.use(((err: { code: string; status: number }, _req, res, _next) => {
        res.status(err.status).json({ handled: err.code })
      }) as ErrorRequestHandler)
      const res = await post(a).send(eventBody)
      expect(res.status).toBe(401)
      expect(res.body).toEqual({ handled: 'missing_signature' })
    })

    it('passes a replay store through: the same delivery twice is refused the second time', async () => {
      const seen = new Set<string>()
      const replayStore: ReplayStore = { claim: (key) => Promise.resolve(!seen.has(key) && Boolean(seen.add(key))) }
      const { app: a } = app({ secret, replayStore })
      const { headers } = await signedHeaders(eventBody)
      expect((await post(a).set(headers).send(eventBody)).status).toBe(200)
      const replay = await post(a).set(headers).send(eventBody)
      expect(replay.status).toBe(401)
      expect(replay.body).toEqual(contractAnswer('replayed_signature').body)
    })

    it.each([
      ['no secret', {}],
      ['an empty secret', { secret: '' }],
      ['a bad limit', { secret, limit: 'a lot' }],
      ['a negative limit', { secret, limit: -1 }],
      ['a bad parse', { secret, parse: 'xml' }],
      ['a bad onError', { secret, onError: 'log' }],
      ['a bad logger', { secret, logger: 'console' }],
    ])('throws a TypeError at creation for %s', (_, options) => {
      expect(() => verifyWebhook(options as VerifyWebhookOptions)).toThrow(TypeError)
    })
  })

  async function listenApp(a: Express) {
    const server = await listen(a)
    servers.push(server.server)
    return server
  }
})
