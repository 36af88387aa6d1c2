// npm run demo: starts the example Express receiver on 127.0.0.1 on a free
// port, sends it deliveries through the CLI's own send code (a genuine one,
// and each kind it must refuse), prints what came back, and exits non-zero
// if any answer is not the expected one.
import { WEBHOOK_ERRORS } from '@tragentics/webhooks'
import { sendSignedDelivery } from '@tragentics/webhooks/testing'
import { createApp } from '../examples/express/app.mjs'

const secret = 'whsec_demo_MfKQ9r8GKYqrTwjUPD8ILPZI'
const previous = 'whsec_demo_previous_0b1c2d3e4f5a'
const app = createApp({ secrets: [secret, previous] })
const server = await new Promise((resolve) => {
  const s = app.listen(0, '127.0.0.1', () => resolve(s))
})
const url = `http://127.0.0.1:${server.address().port}/webhooks`
const now = Math.floor(Date.now() / 1000)
const event = (id) => ({ id, type: 'agent.registered', created: now, data: { agent_id: 'agt_42' } })
const codeOf = Object.fromEntries(Object.entries(WEBHOOK_ERRORS).map(([code, { message }]) => [message, code]))

const cases = [
  ['a genuine delivery', event('evt_1'), secret, { timestamp: now }, 'accepted'],
  ['the same delivery again', event('evt_1'), secret, { timestamp: now }, 'replayed_signature'],
  ['signed with the previous secret', event('evt_2'), previous, {}, 'accepted'],
  ['body tampered after signing', event('evt_3'), secret, { tamper: (b) => b.replace('agt_42', 'agt_43') }, 'signature_mismatch'],
  ['signed 10 minutes ago', event('evt_4'), secret, { timestamp: now - 600 }, 'timestamp_out_of_tolerance'],
  ['signed by someone else', event('evt_5'), 'whsec_attacker', {}, 'signature_mismatch'],
  ['no signature header', event('evt_6'), secret, { omitSignature: true }, 'missing_signature'],
]

console.log(`Example Express receiver at ${url}\n`)
console.log(`${'sent'.padEnd(34)}${'answer'.padEnd(8)}why`)
let failures = 0
try {
  for (const [what, payload, key, options, expected] of cases) {
    const { status, body } = await sendSignedDelivery(url, payload, key, options)
    const why = status === 200 ? 'accepted' : (codeOf[JSON.parse(body).error] ?? body)
    const ok = why === expected
    if (!ok) failures++
    console.log(`${what.padEnd(34)}${String(status).padEnd(8)}${why}${ok ? '' : `   <- expected ${expected}`}`)
  }
} finally {
  server.close()
}
console.log(failures === 0 ? `\nall ${cases.length} answers as expected` : `\n${failures} unexpected answer(s)`)
process.exit(failures === 0 ? 0 : 1)
