import { withWebhook } from '@tragentics/webhooks/next'

export const runtime = 'nodejs'

export const POST = withWebhook({ secret: process.env.TRAGENTICS_WEBHOOK_SECRET! }, async (event, { timestamp }) => {
  console.log('received', event)
  return Response.json({ received: true, timestamp })
})
