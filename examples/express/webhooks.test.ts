import request from 'supertest'
import { expect, it } from 'vitest'
import { signPayload } from '@tragentics/webhooks/testing'
import { createApp } from './app.mjs'

const secret = 'whsec_test_secret'
const app = createApp({ secrets: [secret] })
const event = { id: 'evt_1', type: 'agent.registered' }

it('accepts a signed delivery', async () => {
  const { body, headers } = await signPayload(event, secret)
  await request(app).post('/webhooks').set(headers).send(body).expect(200)
})

it('refuses a forged, a tampered, a stale and an unsigned delivery', async () => {
  const forged = await signPayload(event, 'whsec_not_ours')
  const tampered = await signPayload(event, secret, { tamper: true })
  const stale = await signPayload(event, secret, { timestamp: Math.floor(Date.now() / 1000) - 600 })
  const unsigned = await signPayload(event, secret, { omitSignature: true })
  for (const [{ body, headers }, error] of [
    [forged, 'No signature matches the payload'],
    [tampered, 'No signature matches the payload'],
    [stale, 'Signature timestamp is outside the tolerance window'],
    [unsigned, 'Missing X-Tragentics-Signature header'],
  ] as const) {
    await request(app).post('/webhooks').set(headers).send(body).expect(401, { error })
  }
})

it('refuses the same delivery twice', async () => {
  const { body, headers } = await signPayload({ id: 'evt_2', type: 'agent.registered' }, secret)
  await request(app).post('/webhooks').set(headers).send(body).expect(200)
  const replay = await request(app).post('/webhooks').set(headers).send(body).expect(401)
  expect(replay.body).toEqual({ error: 'Signature has already been used' })
})
