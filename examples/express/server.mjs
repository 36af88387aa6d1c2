// node examples/express/server.mjs  (after npm run build)
// TRAGENTICS_WEBHOOK_SECRET holds the secret; TRAGENTICS_WEBHOOK_PREVIOUS_SECRET an older one during a rotation.
import { createApp } from './app.mjs'

const current = process.env.TRAGENTICS_WEBHOOK_SECRET
if (!current) {
  console.error('Set TRAGENTICS_WEBHOOK_SECRET to your webhook secret first.')
  process.exit(2)
}
const previous = process.env.TRAGENTICS_WEBHOOK_PREVIOUS_SECRET
const port = Number(process.env.PORT ?? 3000)

const server = createApp({ secrets: previous ? [current, previous] : [current] }).listen(port, '127.0.0.1', () => {
  console.log(`Listening on http://127.0.0.1:${server.address().port}/webhooks`)
})
