// npm run demo: signs a sample event, then shows what the verifier answers
// for a genuine delivery and for each kind it must refuse. Exits non-zero if
// any answer is not the expected one.
import { createVerifier, isWebhookVerificationError, MemoryReplayStore, sign } from '@tragentics/webhooks'

const secret = 'whsec_demo_MfKQ9r8GKYqrTwjUPD8ILPZI'
const rotated = 'whsec_demo_rotated_0b1c2d3e4f5a6b7c'
const now = Math.floor(Date.now() / 1000)
const body = JSON.stringify({ id: 'evt_demo_1', type: 'agent.registered', created: now, data: { agent_id: 'agt_42' } })
const verifier = createVerifier({ secrets: [rotated, secret], replayStore: new MemoryReplayStore() })
const genuine = await sign(body, secret)

const cases = [
  ['genuine delivery', body, genuine, 'valid'],
  ['the same delivery again', body, genuine, 'replayed_signature'],
  ['signed with the rotated secret', body.replace('evt_demo_1', 'evt_demo_2'), await sign(body.replace('evt_demo_1', 'evt_demo_2'), rotated), 'valid'],
  ['body tampered after signing', body.replace('agt_42', 'agt_43'), await sign(body, secret), 'signature_mismatch'],
  ['signed 10 minutes ago', body, await sign(body, secret, { timestamp: now - 600 }), 'timestamp_out_of_tolerance'],
  ['signed by someone else', body, await sign(body, 'whsec_attacker'), 'signature_mismatch'],
  ['no signature header', body, undefined, 'missing_signature'],
  ['a bearer token instead', body, 'Bearer tk_abc123', 'malformed_signature'],
]

let failures = 0
const rows = []
for (const [what, payload, header, expected] of cases) {
  let answer
  try {
    const { event, secretIndex } = await verifier.verifyEvent(payload, header)
    answer = `valid (${event.type}, secret #${secretIndex})`
  } catch (err) {
    if (!isWebhookVerificationError(err)) throw err
    answer = err.code
  }
  const ok = answer.split(' ')[0] === expected
  if (!ok) failures++
  rows.push([ok ? 'ok  ' : 'FAIL', what.padEnd(32), answer])
}

console.log(`Verifying with @tragentics/webhooks (secrets: the current one and a rotated one; replays remembered in memory)\n`)
for (const row of rows) console.log(row.join('  '))
console.log(failures === 0 ? `\nall ${rows.length} answers as expected` : `\n${failures} unexpected answer(s)`)
process.exit(failures === 0 ? 0 : 1)
