// A Pages API route that forgot to turn the body parser off: every delivery
// must be answered body_unavailable, with the fix in the log.
import { withWebhookApiRoute } from '@tragentics/webhooks/next'

export default withWebhookApiRoute({ secret: process.env.TRAGENTICS_WEBHOOK_SECRET! }, async (_event, _req, res) => {
  res.status(200).json({ received: true })
})
