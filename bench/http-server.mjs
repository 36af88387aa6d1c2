// One server of the HTTP bench, in its own process: node bench/http-server.mjs MODE
// MODE: express-bare | express-baseline | express-verify | koa-bare |
// koa-baseline | koa-verify. Prints "listening PORT". The baseline routes
// are controls: the bare route's body reading plus the benchmark's baseline
// check written inline, the least any verifying route can cost. (A refusal
// there throws, and the 500 stops the bench: every delivery is genuine.)
import Router from '@koa/router'
import express from 'express'
import Koa from 'koa'
import getRawBody from 'raw-body'
import { baseline } from './baseline.mjs'
import { verifyWebhook as expressVerify } from '@tragentics/webhooks/express'
import { verifyWebhook as koaVerify } from '@tragentics/webhooks/koa'

const [mode] = process.argv.slice(2)
const secret = process.env.BENCH_SECRET
let handler
if (mode.startsWith('express')) {
  const app = express()
  const raw = express.raw({ type: '*/*' })
  const guard = {
    'express-bare': [raw],
    'express-baseline': [
      raw,
      (req, _res, next) => {
        baseline(req.body, req.headers['x-tragentics-signature'], secret)
        next()
      },
    ],
    'express-verify': [expressVerify({ secret })],
  }[mode]
  app.post('/webhooks', ...guard, (_req, res) => res.sendStatus(204))
  handler = app
} else {
  const app = new Koa()
  const router = new Router()
  const raw = async (ctx, next) => {
    ctx.request.body = await getRawBody(ctx.req, { limit: '1mb' })
    await next()
  }
  const guard = {
    'koa-bare': [raw],
    'koa-baseline': [
      raw,
      (ctx, next) => {
        baseline(ctx.request.body, ctx.req.headers['x-tragentics-signature'], secret)
        return next()
      },
    ],
    'koa-verify': [koaVerify({ secret })],
  }[mode]
  router.post('/webhooks', ...guard, (ctx) => {
    ctx.status = 204
  })
  app.use(router.routes())
  handler = app.callback()
}
const { createServer } = await import('node:http')
const server = createServer(handler).listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
