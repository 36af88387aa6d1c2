// Accepts bodies up to 20 MB, behind the proxy in proxy.ts: Next.js hands a
// route behind a proxy at most 10 MB of its body, so a larger delivery
// arrives cut short and must be answered body_incomplete.
import { withWebhook } from '@tragentics/webhooks/next'

export const runtime = 'nodejs'

export const POST = withWebhook({ secret: process.env.TRAGENTICS_WEBHOOK_SECRET!, limit: '20mb', parse: 'none' }, async (_event, { rawBody }) =>
  Response.json({ received: rawBody.length }),
)
