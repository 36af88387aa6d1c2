// The example Express receiver: one route, verified, replays refused.
import express from 'express'
import { MemoryReplayStore } from '@tragentics/webhooks'
import { verifyWebhook } from '@tragentics/webhooks/express'

/** Builds the app; `secrets` holds the current secret first, then any older one still accepted. */
export function createApp({ secrets, replayStore = new MemoryReplayStore() }) {
  const app = express()
  app.post('/webhooks', verifyWebhook({ secrets, replayStore }), (req, res) => {
    const { event } = req.webhook
    // Act on the event here: event.type says what happened.
    res.status(200).json({ received: event.id ?? null, type: event.type ?? null })
  })
  return app
}
