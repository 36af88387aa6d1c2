import { createServer, type Server } from 'node:http'
import { bodyParser as koaBodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import Koa3, { type Middleware } from 'koa'
import Koa2 from 'koa2'
import koaBodyparser from 'koa-bodyparser'
import request from 'supertest'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { verifyWebhook, type VerifyWebhookOptions } from '../../adapters/koa.js'
import { MemoryReplayStore, sign, type WebhookErrorCode } from '@tragentics/webhooks'
import { chunked, contractAnswer, deferred, eventBody, itAnswersEveryVector, requestHead, secret, sendRaw, signedHeaders } from './helpers.js'

const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => { s.close(() => r()) })))
})

function serve(app: Koa3): Server {
  const handle = app.callback()
  const server = createServer((req, res) => void handle(req, res)).listen(0, '127.0.0.1')
  servers.push(server)
  return server
}

/** supertest on 127.0.0.1; the identity serializer sends a Buffer as its bytes. */
function post(app: Koa3, path = '/webhooks') {
  return request(serve(app)).post(path).serialize((body: unknown) => body as string)
}

function port(server: Server): Promise<number> {
  return new Promise((resolve) => {
    const ready = () => {
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : 0)
    }
    if (server.listening) ready()
    else server.once('listening', ready)
  })
}

const received: Middleware = (ctx) => {
  ctx.body = {
    event: ctx.state.webhook.event ?? null,
    raw: ctx.state.webhook.rawBody.toString('base64'),
    timestamp: ctx.state.webhook.timestamp,
    secretIndex: ctx.state.webhook.secretIndex,
    requestBodyIsEvent: (ctx.request as { body?: unknown }).body === (ctx.state.webhook.event ?? ctx.state.webhook.rawBody),
  }
}

describe.each([
  ['Koa 2', Koa2],
  ['Koa 3', Koa3],
] as const)('%s', (_, Koa) => {
  function app(options: VerifyWebhookOptions, ...before: Middleware[]): { app: Koa3; handler: ReturnType<typeof vi.fn> } {
    const a = new Koa()
    const handler = vi.fn(received)
    for (const mw of before) a.use(mw)
    const router = new Router()
    router.post('/webhooks', verifyWebhook({ logger: () => undefined, ...options }), handler)
    a.use(router.routes())
    return { app: a, handler }
  }

  describe('every vector', () => {
    itAnswersEveryVector((options) => {
      const { app: a, handler } = app(options)
      return { post: post(a), handler }
    })
  })

  describe('mount orders', () => {
    it('alone: reads ctx.req itself and sets ctx.request.body to the event', async () => {
      const { app: a } = app({ secret })
      const { headers, wire } = await signedHeaders(eventBody)
      const res = await post(a).set(headers).send(wire)
      expect(res.status).toBe(200)
      expect(res.body.event).toEqual(JSON.parse(eventBody))
      expect(res.body.requestBodyIsEvent).toBe(true)
    })

    describe.each([
      ['koa-bodyparser', () => koaBodyparser() as unknown as Middleware],
      ['@koa/bodyparser', () => koaBodyParser() as unknown as Middleware],
    ])('after %s', (_parser, parser) => {
      it('accepts a body whose kept text gives back the exact bytes', async () => {
        const { app: a } = app({ secret }, parser())
        const body = JSON.stringify({ msg: 'héllo 世界 🚀', n: 1 })
        const { headers } = await signedHeaders(body)
        const res = await post(a).set(headers).send(Buffer.from(body))
        expect(res.status).toBe(200)
        expect(res.body.event).toEqual(JSON.parse(body))
      })

      it.each([
        ['a body with a BOM, which the text lost', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(eventBody)])],
        ['a body with invalid UTF-8, which the text replaced', Buffer.from([...Buffer.from('{"a":"'), 0xff, ...Buffer.from('"}')])],
      ])('answers body_unavailable with the fix for %s', async (_what, body) => {
        const logger = vi.fn()
        const { app: a, handler } = app({ secret, logger }, parser())
        const { headers } = await signedHeaders(body)
        const res = await post(a).set(headers).send(body)
        expect(res.status).toBe(500)
        expect(res.body).toEqual({ error: 'Internal server error' })
        expect(handler).not.toHaveBeenCalled()
        const message = String(logger.mock.calls[0]?.[0])
        expect(message).toContain('koa-bodyparser or @koa/bodyparser')
        expect(message).toContain('before app.use(bodyParser())')
      })

      it('answers body_unavailable for a chunked body, whose length the text cannot be checked against', async () => {
        const { app: a } = app({ secret }, parser())
        const server = serve(a)
        const body = Buffer.from(eventBody)
        const head = requestHead('/webhooks', { 'transfer-encoding': 'chunked', 'content-type': 'application/json', 'x-tragentics-signature': await sign(body, secret) })
        const res = await sendRaw(await port(server), [head, ...chunked([body])])
        expect(res?.status).toBe(500)
      })
    })

    it('answers body_unavailable when a parser that keeps nothing ran first', async () => {
      const drain: Middleware = async (ctx, next) => {
        await new Promise((resolve) => ctx.req.on('end', resolve).resume())
        ;(ctx.request as { body?: unknown }).body = {}
        await next()
      }
      const logger = vi.fn()
      const { app: a } = app({ secret, logger }, drain)
      const { headers, wire } = await signedHeaders(eventBody)
      const res = await post(a).set(headers).send(wire)
      expect(res.status).toBe(500)
      expect(logger).toHaveBeenCalledOnce()
    })

    it('accepts bytes a raw parser left in ctx.request.body', async () => {
      const raw: Middleware = async (ctx, next) => {
        const chunks: Buffer[] = []
        for await (const chunk of ctx.req) chunks.push(chunk as Buffer)
        ;(ctx.request as { body?: unknown }).body = Buffer.concat(chunks)
        await next()
      }
      const { app: a } = app({ secret }, raw)
      const { headers, wire } = await signedHeaders(eventBody)
      expect((await post(a).set(headers).send(wire)).status).toBe(200)
    })
  })

  describe('limits and streams', () => {
    it('refuses a body over the limit, declared or streamed', async () => {
      const { app: a, handler } = app({ secret, limit: '1kb' })
      const big = Buffer.from(JSON.stringify({ pad: 'x'.repeat(4000) }))
      const { headers } = await signedHeaders(big)
      const declared = await post(a).set(headers).send(big)
      expect(declared.status).toBe(413)
      expect(declared.body).toEqual(contractAnswer('body_too_large').body)
      const server = serve(a)
      const head = requestHead('/webhooks', { 'transfer-encoding': 'chunked', ...headers })
      const streamed = await sendRaw(await port(server), [head, ...chunked([big.subarray(0, 900), big.subarray(900)])])
      expect(streamed?.status).toBe(413)
      expect(handler).not.toHaveBeenCalled()
    })

    it('settles with body_incomplete, in bounded time, when the client aborts mid-body', async () => {
      const seen = deferred<WebhookErrorCode>()
      const { app: a, handler } = app({ secret, onError: (err) => seen.resolve(err.code) })
      a.silent = true // Koa would log the client's abort itself
      const server = serve(a)
      const head = requestHead('/webhooks', { 'content-length': 500, 'x-tragentics-signature': await sign(eventBody, secret) })
      await sendRaw(await port(server), [head, eventBody.slice(0, 20)], { destroyAfterMs: 20 })
      expect(await seen.promise).toBe('body_incomplete')
      expect(handler).not.toHaveBeenCalled()
    })

    it('answers body_incomplete when fewer bytes arrive than Content-Length declared', async () => {
      const truncatingProxy: Middleware = async (ctx, next) => {
        ctx.req.headers['content-length'] = String(Number(ctx.req.headers['content-length']) + 100)
        await next()
      }
      const { app: a } = app({ secret }, truncatingProxy)
      const { headers, wire } = await signedHeaders(eventBody)
      const res = await post(a).set(headers).send(wire)
      expect(res.status).toBe(400)
      expect(res.body).toEqual(contractAnswer('body_incomplete').body)
    })

    it('verifies an empty body and a binary one', async () => {
      const { app: a } = app({ secret, parse: 'none' })
      for (const body of [Buffer.alloc(0), Buffer.from([0, 255, 128, 10])]) {
        const { headers } = await signedHeaders(body)
        const res = await post(a).set(headers).set('content-type', 'application/octet-stream').send(body)
        expect(res.status).toBe(200)
        expect(Buffer.from(res.body.raw as string, 'base64').equals(body)).toBe(true)
      }
    })

    it('verifies a chunked body with a character split across chunks', async () => {
      const { app: a } = app({ secret })
      const server = serve(a)
      const body = Buffer.from(JSON.stringify({ msg: '世界' }))
      const at = body.indexOf(Buffer.from('世')) + 1
      const head = requestHead('/webhooks', { 'transfer-encoding': 'chunked', 'content-type': 'application/json', 'x-tragentics-signature': await sign(body, secret) })
      const res = await sendRaw(await port(server), [head, ...chunked([body.subarray(0, at), body.subarray(at)])])
      expect(res?.status).toBe(200)
      expect(JSON.parse(res?.body ?? '{}').event).toEqual({ msg: '世界' })
    })

    it('accepts a gzip delivery signed over the compressed bytes', async () => {
      const { app: a } = app({ secret })
      const { headers, wire } = await signedHeaders(eventBody, { gzip: true })
      const res = await post(a).set(headers).send(wire)
      expect(res.status).toBe(200)
      expect(res.body.event).toEqual(JSON.parse(eventBody))
    })
  })

  describe('options', () => {
    it('accepts either of two secrets and says which matched', async () => {
      const { app: a } = app({ secrets: ['whsec_new', secret] })
      const { headers } = await signedHeaders(eventBody)
      expect((await post(a).set(headers).send(eventBody)).body.secretIndex).toBe(1)
    })

    it("with parse: 'none' sets ctx.request.body to the raw Buffer", async () => {
      const { app: a } = app({ secret, parse: 'none' })
      const { headers } = await signedHeaders('not json')
      const res = await post(a).set(headers).send('not json')
      expect(res.body).toMatchObject({ event: null, requestBodyIsEvent: true })
    })

    it('refuses a replayed delivery with a MemoryReplayStore', async () => {
      const { app: a, handler } = app({ secret, replayStore: new MemoryReplayStore() })
      const { headers } = await signedHeaders(eventBody)
      expect((await post(a).set(headers).send(eventBody)).status).toBe(200)
      const replay = await post(a).set(headers).send(eventBody)
      expect(replay.status).toBe(401)
      expect(replay.body).toEqual(contractAnswer('replayed_signature').body)
      expect(handler).toHaveBeenCalledOnce()
    })

    it('hands refusals to onError, which answers instead', async () => {
      const { app: a, handler } = app({
        secret,
        onError: (err, ctx) => {
          ctx.status = 418
          ctx.body = { code: err.code }
        },
      })
      const res = await post(a).send(eventBody)
      expect(res.status).toBe(418)
      expect(res.body).toEqual({ code: 'missing_signature' })
      expect(handler).not.toHaveBeenCalled()
    })

    it('lets errors thrown after it propagate to Koa as usual', async () => {
      const a = new Koa()
      a.silent = true
      const router = new Router()
      router.post('/webhooks', verifyWebhook({ secret }), () => {
        throw new Error('handler failed')
      })
      a.use(router.routes())
      const { headers } = await signedHeaders(eventBody)
      const res = await post(a).set(headers).send(eventBody)
      expect(res.status).toBe(500)
      expect(res.text).toBe('Internal Server Error')
    })

    it.each([
      ['no secret', {}],
      ['a bad limit', { secret, limit: {} }],
      ['a bad onError', { secret, onError: 1 }],
    ])('throws a TypeError at creation for %s', (_, options) => {
      expect(() => verifyWebhook(options as VerifyWebhookOptions)).toThrow(TypeError)
    })
  })
})
