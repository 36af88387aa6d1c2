import { withWebhookApiRoute } from '@tragentics/webhooks/next'

export const config = { api: { bodyParser: false } }

export default withWebhookApiRoute({ secret: process.env.TRAGENTICS_WEBHOOK_SECRET! }, async (event, req, res) => {
  console.log('received', event)
  res.status(200).json({ received: true, timestamp: req.webhook.timestamp })
})
