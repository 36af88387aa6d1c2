import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express'
import type { Context, Middleware, Next } from 'koa'
import { describe, expectTypeOf, it } from 'vitest'
import * as expressAdapter from '../../adapters/express.js'
import * as koaAdapter from '../../adapters/koa.js'
import type { WebhookVerificationError } from '@tragentics/webhooks'

describe('Express adapter types', () => {
  it('verifyWebhook is a RequestHandler and keepRawBody fits express.json({ verify })', () => {
    expectTypeOf(expressAdapter.verifyWebhook({ secret: 'x' })).toEqualTypeOf<RequestHandler>()
    expectTypeOf(expressAdapter.keepRawBody).toBeFunction()
  })

  it('req.webhook carries the event, the raw Buffer and the timestamp', () => {
    expectTypeOf<Request['webhook']['rawBody']>().toEqualTypeOf<Buffer>()
    expectTypeOf<Request['webhook']['timestamp']>().toEqualTypeOf<number>()
    expectTypeOf<Request['webhook']['event']>().toEqualTypeOf<unknown>()
    expectTypeOf<expressAdapter.ExpressWebhook<{ id: string }>['event']>().toEqualTypeOf<{ id: string }>()
  })

  it('onError gets the typed error and Express’s req, res, next', () => {
    type OnError = NonNullable<expressAdapter.VerifyWebhookOptions['onError']>
    expectTypeOf<Parameters<OnError>>().toEqualTypeOf<[WebhookVerificationError, Request, Response, NextFunction]>()
    expectTypeOf<ErrorRequestHandler>().not.toEqualTypeOf<RequestHandler>()
  })

  it('takes limit as bytes or a string and parse as json or none', () => {
    expressAdapter.verifyWebhook({ secret: 'x', limit: '2mb', parse: 'none', tolerance: 60 })
    expressAdapter.verifyWebhook({ secrets: ['a', 'b'], limit: 1024 })
    // @ts-expect-error parse has two values only
    expressAdapter.verifyWebhook({ secret: 'x', parse: 'xml' })
  })
})

describe('Koa adapter types', () => {
  it('verifyWebhook is a Koa Middleware and ctx.state.webhook is typed', () => {
    expectTypeOf(koaAdapter.verifyWebhook({ secret: 'x' })).toEqualTypeOf<Middleware>()
    expectTypeOf<Context['state']['webhook']['rawBody']>().toEqualTypeOf<Buffer>()
    type OnError = NonNullable<koaAdapter.VerifyWebhookOptions['onError']>
    expectTypeOf<Parameters<OnError>>().toEqualTypeOf<[WebhookVerificationError, Context, Next]>()
  })
})
