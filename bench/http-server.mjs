// One server of the HTTP bench, in its own process: node bench/http-server.mjs MODE
// MODE: express-bare | express-verify | koa-bare | koa-verify. Prints "listening PORT".
import Router from '@koa/router'
import express from 'express'
import Koa from 'koa'
import getRawBody from 'raw-body'
import { verifyWebhook as expressVerify } from '@tragentics/webhooks/express'
import { verifyWebhook as koaVerify } from '@tragentics/webhooks/koa'

const [mode] = process.argv.slice(2)
const secret = process.env.BENCH_SECRET
let handler
if (mode.startsWith('express')) {
  const app = express()
  const guard = mode === 'express-verify' ? expressVerify({ secret }) : express.raw({ type: '*/*' })
  app.post('/webhooks', guard, (_req, res) => res.sendStatus(204))
  handler = app
} else {
  const app = new Koa()
  const router = new Router()
  const guard =
    mode === 'koa-verify'
      ? koaVerify({ secret })
      : async (ctx, next) => {
          ctx.request.body = await getRawBody(ctx.req, { limit: '1mb' })
          await next()
        }
  router.post('/webhooks', guard, (ctx) => {
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
