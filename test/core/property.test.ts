import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HMAC_BACKEND, isWebhookVerificationError, verify, type WebhookErrorCode } from '../../src/index.js'

const RUNS = Number(process.env.PROPERTY_RUNS ?? 10_000)
const t0 = 1_733_212_800
const tolerance = 300

/**
 * The scheme written out a second time, as plainly as possible, to tell
 * what the verifier must answer for any input.
 */
function oracle(header: string, body: string | Uint8Array, secret: string, now: number): 'valid' | WebhookErrorCode {
  if (header === '') return 'missing_signature'
  if (header.length > 8192) return 'malformed_signature'
  const elements = header.split(',').map((e) => e.replace(/^[ \t]+|[ \t]+$/g, ''))
  if (elements.some((e) => !/^[^=]+=/.test(e))) return 'malformed_signature'
  const ts = elements.filter((e) => e.startsWith('t=')).map((e) => e.slice(2))
  const v1s = elements.filter((e) => e.startsWith('v1=')).map((e) => e.slice(3))
  if (ts.length !== 1 || !/^[0-9]{1,15}$/.test(ts[0] ?? '')) return 'malformed_signature'
  if (v1s.length === 0 || v1s.length > 16 || v1s.some((v) => !/^[0-9a-fA-F]{64}$/.test(v))) return 'malformed_signature'
  const t = ts[0] ?? ''
  const expected = createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex')
  if (!v1s.some((v) => v.toLowerCase() === expected)) return 'signature_mismatch'
  if (Math.abs(now - Number(t)) > tolerance) return 'timestamp_out_of_tolerance'
  return 'valid'
}

function sig(body: string | Uint8Array, secret: string, t: string): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex')
}

const hexChar = fc.constantFrom(...'0123456789abcdefABCDEF'.split(''))
const digits = fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: 1, maxLength: 17 })
const space = fc.constantFrom('', ' ', '\t', '  ', '\u00a0')
const element = fc.oneof(
  digits.map((d) => `t=${d}`),
  fc.string({ unit: hexChar, minLength: 60, maxLength: 68 }).map((h) => `v1=${h}`),
  fc.string({ unit: hexChar, minLength: 64, maxLength: 64 }).map((h) => `v1=${h}`),
  fc.string({ maxLength: 12 }).map((s) => `v0=${s}`),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('t=', 'v1=', '=', 'v1', 't', 'T=1733212800', 'v2=abc'),
)
const elementsHeader = fc
  .array(fc.tuple(space, element, space), { maxLength: 20 })
  .map((parts) => parts.map(([a, e, b]) => a + e + b).join(','))

type Body = string | Uint8Array
type Case = { header: string; body: Body; secret: string; now: number }

const bodyArb: fc.Arbitrary<Body> = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.string({ maxLength: 100 }), fc.string({ unit: 'binary', maxLength: 50 }))
const secretArb = fc.oneof(fc.constant('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'), fc.string({ minLength: 1, maxLength: 40 }))
const nowArb = fc.integer({ min: t0 - 2 * tolerance, max: t0 + 2 * tolerance })

/** A header that really was signed, then maybe damaged in one of the ways a proxy or an attacker would. */
const signedThenMutated: fc.Arbitrary<Case> = fc
  .record({
    body: bodyArb,
    secret: secretArb,
    now: nowArb,
    t: fc.integer({ min: t0 - 400, max: t0 + 400 }).map(String),
    mutation: fc.constantFrom('none', 'flip', 'truncate', 'retime', 'wrong-secret', 'tamper-body', 'extra-sigs', 'upper', 'pad-zero', 'duplicate-t'),
    position: fc.nat(),
  })
  .map(({ body, secret, now, t, mutation, position }) => {
    let v1 = sig(body, secret, t)
    let header = `t=${t},v1=${v1}`
    let sentBody = body
    switch (mutation) {
      case 'flip': {
        const i = position % 64
        v1 = v1.slice(0, i) + (v1[i] === '0' ? '1' : '0') + v1.slice(i + 1)
        header = `t=${t},v1=${v1}`
        break
      }
      case 'truncate':
        header = header.slice(0, position % header.length)
        break
      case 'retime':
        header = `t=${String(Number(t) + 1 + (position % 5))},v1=${v1}`
        break
      case 'wrong-secret':
        header = `t=${t},v1=${sig(body, `${secret}x`, t)}`
        break
      case 'tamper-body':
        sentBody = typeof body === 'string' ? `${body} ` : new Uint8Array([...body, position % 256])
        break
      case 'extra-sigs':
        header = `t=${t},${Array.from({ length: position % 20 }, () => `v1=${'f'.repeat(64)}`).join(',')},v1=${v1}`
        break
      case 'upper':
        header = header.toUpperCase().replace('T=', 't=').replace('V1=', 'v1=')
        break
      case 'pad-zero':
        header = `t=0${t},v1=${v1}`
        break
      case 'duplicate-t':
        header = `t=${t},${header}`
        break
    }
    return { header, body: sentBody, secret, now }
  })

const arbitraryHeader: fc.Arbitrary<Case> = fc.record({
  header: fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 100 }), elementsHeader, fc.string({ minLength: 8185, maxLength: 8200 })),
  body: bodyArb,
  secret: secretArb,
  now: nowArb,
})

const CODES = new Set<WebhookErrorCode>(['missing_signature', 'malformed_signature', 'signature_mismatch', 'timestamp_out_of_tolerance'])

describe(`verify() on any input (${HMAC_BACKEND})`, () => {
  it(`returns or throws a WebhookVerificationError, exactly as the scheme says (${RUNS} cases)`, async () => {
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(fc.oneof(signedThenMutated, arbitraryHeader), async ({ header, body, secret, now }) => {
        const expected = oracle(header, body, secret, now)
        let actual: 'valid' | WebhookErrorCode
        try {
          await verify(body, header, secret, { now, tolerance })
          actual = 'valid'
          accepted++
        } catch (err) {
          if (!isWebhookVerificationError(err)) throw err
          expect(CODES.has(err.code)).toBe(true)
          actual = err.code
        }
        expect(actual).toBe(expected)
      }),
      { numRuns: RUNS },
    )
    // The generator must also reach the accepting branch, or the test proves little.
    expect(accepted).toBeGreaterThan(RUNS / 50)
  }, 120_000)
})
