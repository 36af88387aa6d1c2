// node examples/koa/server.mjs  (after npm run build)
import Router from '@koa/router'
import Koa from 'koa'
import { MemoryReplayStore } from '@tragentics/webhooks'
import { verifyWebhook } from '@tragentics/webhooks/koa'

const secret = process.env.TRAGENTICS_WEBHOOK_SECRET
if (!secret) {
  console.error('Set TRAGENTICS_WEBHOOK_SECRET to your webhook secret first.')
  process.exit(2)
}

const app = new Koa()
const router = new Router()
router.post('/webhooks', verifyWebhook({ secret, replayStore: new MemoryReplayStore() }), (ctx) => {
  const { event } = ctx.state.webhook
  ctx.body = { received: event.id ?? null, type: event.type ?? null }
})
app.use(router.routes())

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`Listening on http://127.0.0.1:${server.address().port}/webhooks`)
})
