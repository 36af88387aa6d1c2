import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  createVerifier,
  isWebhookVerificationError,
  sign,
  SIGNATURE_HEADER,
  verify,
  verifyEvent,
  WebhookVerificationError,
  type ReplayStore,
  type WebhookErrorCode,
} from '../../src/index.js'

const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
const t = 1733212800
const body = '{"id":"evt_01JE2Z7Q","type":"agent.registered","created":1733212800,"data":{"agent_id":"agt_42"}}'
const header = 't=1733212800,v1=f04d95ff27850baac1c0a940afa50598ca4ac2a2599457b79dc646b62cd2cff4'

/** An independent signer, straight from the scheme's formula, to check ours against. */
function reference(payload: string | Uint8Array, key: string, ts: number): string {
  return createHmac('sha256', key).update(`${ts}.`).update(payload).digest('hex')
}

async function errorOf(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  try {
    await promise
  } catch (err) {
    if (isWebhookVerificationError(err)) return err
    throw err
  }
  throw new Error('expected the delivery to be refused')
}

async function codeOf(promise: Promise<unknown>): Promise<WebhookErrorCode> {
  return (await errorOf(promise)).code
}

describe('payload types', () => {
  const bytes = Buffer.from(body)

  it.each([
    ['a string, read as UTF-8', body],
    ['a Buffer', bytes],
    ['a Uint8Array', new Uint8Array(bytes)],
    ['an ArrayBuffer', new Uint8Array(bytes).buffer],
  ] as const)('accepts %s', async (_, payload) => {
    await expect(verify(payload, header, secret, { now: t })).resolves.toEqual({ timestamp: t, secretIndex: 0 })
  })

  it('signs exactly the bytes of a subarray view with an offset, not its whole buffer', async () => {
    const padded = Buffer.concat([Buffer.from('GARBAGE-BEFORE'), bytes, Buffer.from('GARBAGE-AFTER')])
    const view = new Uint8Array(padded.buffer, padded.byteOffset + 14, bytes.length)
    expect(Buffer.from(view).toString()).toBe(body)
    await expect(verify(view, header, secret, { now: t })).resolves.toMatchObject({ timestamp: t })
    expect(await sign(view, secret, { timestamp: t })).toBe(header)
  })

  it('signs a Buffer from the shared pool at its own offset', async () => {
    const pooled = Buffer.from(body) // small Buffers share one pooled ArrayBuffer
    expect(pooled.byteOffset > 0 || pooled.buffer.byteLength > pooled.length).toBe(true)
    await expect(verify(pooled, header, secret, { now: t })).resolves.toMatchObject({ timestamp: t })
  })

  it('accepts a Uint8Array made in another realm', async () => {
    const { runInNewContext } = await import('node:vm')
    const foreign = runInNewContext('new Uint8Array(n)', { n: bytes.length }) as Uint8Array
    foreign.set(bytes)
    expect(foreign instanceof Uint8Array).toBe(false)
    await expect(verify(foreign, header, secret, { now: t })).resolves.toMatchObject({ timestamp: t })
  })

  it.each([
    ['a parsed object', JSON.parse(body) as unknown],
    ['an array', [1, 2]],
    ['null', null],
    ['a number', 42],
    ['a DataView', new DataView(new ArrayBuffer(4))],
    ['an Int16Array', new Int16Array(2)],
  ])('refuses %s with a TypeError that says to pass the raw body', async (_, payload) => {
    const attempt = verify(payload as string, header, secret, { now: t })
    await expect(attempt).rejects.toThrow(TypeError)
    await expect(attempt).rejects.toThrow(/raw request body/)
    await expect(attempt).rejects.toThrow(/express\.raw|arrayBuffer/)
  })

  it('refuses a parsed object in sign() too', async () => {
    await expect(sign({ a: 1 } as unknown as string, secret)).rejects.toThrow(/raw request body/)
  })
})

describe('headers objects', () => {
  it('reads a Fetch Headers object', async () => {
    const headers = new Headers({ 'X-Tragentics-Signature': header, 'Content-Type': 'application/json' })
    await expect(verify(body, headers, secret, { now: t })).resolves.toMatchObject({ timestamp: t })
  })

  it('reads a Request\u2019s headers', async () => {
    const request = new Request('http://127.0.0.1/webhooks', { method: 'POST', body, headers: { [SIGNATURE_HEADER]: header } })
    await expect(verify(await request.text(), request.headers, secret, { now: t })).resolves.toMatchObject({ timestamp: t })
  })

  it('reads Node IncomingHttpHeaders (lowercase keys)', async () => {
    const headers: import('node:http').IncomingHttpHeaders = { 'content-type': 'application/json', 'x-tragentics-signature': header }
    await expect(verify(body, headers, secret, { now: t })).resolves.toMatchObject({ timestamp: t })
  })

  it.each(['X-Tragentics-Signature', 'X-TRAGENTICS-SIGNATURE', 'x-Tragentics-signature'])(
    'reads a plain record keyed %s',
    async (key) => {
      await expect(verify(body, { [key]: header }, secret, { now: t })).resolves.toMatchObject({ timestamp: t })
    },
  )

  it('treats a header absent from the object as missing_signature', async () => {
    expect(await codeOf(verify(body, { 'content-type': 'application/json' }, secret, { now: t }))).toBe('missing_signature')
    expect(await codeOf(verify(body, new Headers(), secret, { now: t }))).toBe('missing_signature')
    expect(await codeOf(verify(body, undefined, secret, { now: t }))).toBe('missing_signature')
  })

  it('refuses the header sent twice (an array value) as malformed_signature', async () => {
    expect(await codeOf(verify(body, { [SIGNATURE_HEADER]: [header, header] }, secret, { now: t }))).toBe('malformed_signature')
  })

  it('refuses the header under two spellings of its name as malformed_signature', async () => {
    const record = { [SIGNATURE_HEADER]: header, 'X-Tragentics-Signature': header }
    expect(await codeOf(verify(body, record, secret, { now: t }))).toBe('malformed_signature')
  })

  it('refuses two headers that Fetch joined with a comma when they repeat t', async () => {
    const headers = new Headers()
    headers.append(SIGNATURE_HEADER, header)
    headers.append(SIGNATURE_HEADER, header)
    expect(await codeOf(verify(body, headers, secret, { now: t }))).toBe('malformed_signature')
  })

  it('takes a one-element array (as some platforms report every header) as the header', async () => {
    await expect(verify(body, { [SIGNATURE_HEADER]: [header] }, secret, { now: t })).resolves.toMatchObject({ timestamp: t })
  })

  it('refuses a header value that is not a string', async () => {
    expect(await codeOf(verify(body, { [SIGNATURE_HEADER]: 42 } as never, secret, { now: t }))).toBe('malformed_signature')
    await expect(verify(body, 42 as never, secret, { now: t })).rejects.toThrow(TypeError)
  })
})

describe('header parsing beyond the vectors', () => {
  const v1 = header.split(',')[1] ?? ''
  it.each([
    ['a trailing comma', `${header},`],
    ['an empty element', `t=${t},,${v1}`],
    ['an empty key', `t=${t},=x,${v1}`],
    ['a 16-digit timestamp', `t=1${'0'.repeat(15)},${v1}`],
    ['a space inside an element', `t = ${t},${v1}`],
    ['a non-breaking space around an element', `\u00a0t=${t},${v1}`],
    ['a lone whitespace', ' '],
    ['an empty v1', `t=${t},v1=`],
  ])('refuses %s as malformed_signature', async (_, value) => {
    expect(await codeOf(verify(body, value, secret, { now: t }))).toBe('malformed_signature')
  })

  it('accepts tabs around elements and an element order with v1 first', async () => {
    await expect(verify(body, `\t${v1}\t,\tt=${t}\t`, secret, { now: t })).resolves.toMatchObject({ timestamp: t })
  })

  it('accepts exactly 16 signatures', async () => {
    const junk = Array.from({ length: 15 }, () => `v1=${'0'.repeat(64)}`)
    await expect(verify(body, [`t=${t}`, ...junk, v1].join(','), secret, { now: t })).resolves.toMatchObject({ timestamp: t })
  })

  it('accepts a header of exactly 8192 characters', async () => {
    const base = `${header},v0=`
    const exact = base + 'a'.repeat(8192 - base.length)
    expect(exact).toHaveLength(8192)
    await expect(verify(body, exact, secret, { now: t })).resolves.toMatchObject({ timestamp: t })
    expect(await codeOf(verify(body, `${exact}a`, secret, { now: t }))).toBe('malformed_signature')
  })

  it('signs the timestamp digits as sent, leading zeros included', async () => {
    const padded = `00${t}`
    const sig = createHmac('sha256', secret).update(`${padded}.`).update(body).digest('hex')
    await expect(verify(body, `t=${padded},v1=${sig}`, secret, { now: t })).resolves.toEqual({ timestamp: t, secretIndex: 0 })
    expect(await codeOf(verify(body, `t=${t},v1=${sig}`, secret, { now: t }))).toBe('signature_mismatch')
  })

  it('says what was wrong after the contract message, without the expected signature', async () => {
    const err = await errorOf(verify(body, `t=${t},v1=abc`, secret, { now: t }))
    expect(err).toBeInstanceOf(WebhookVerificationError)
    expect(err.message).toBe('Malformed X-Tragentics-Signature header: v1 must be 64 hex digits')
  })
})

describe('secret rotation', () => {
  const oldSecret = 'whsec_old_5a6b7c8d9e0f'
  const newSecret = 'whsec_new_1a2b3c4d5e6f'

  it('reports which receiver secret matched', async () => {
    const signedWithNew = await sign(body, newSecret, { timestamp: t })
    const signedWithOld = await sign(body, oldSecret, { timestamp: t })
    await expect(verify(body, signedWithNew, [newSecret, oldSecret], { now: t })).resolves.toEqual({ timestamp: t, secretIndex: 0 })
    await expect(verify(body, signedWithOld, [newSecret, oldSecret], { now: t })).resolves.toEqual({ timestamp: t, secretIndex: 1 })
    const verifier = createVerifier({ secrets: [oldSecret, newSecret], now: t })
    await expect(verifier.verify(body, signedWithNew)).resolves.toEqual({ timestamp: t, secretIndex: 1 })
  })

  it('accepts a sender that signs with both secrets, whatever order either side uses', async () => {
    const both = await sign(body, [oldSecret, newSecret], { timestamp: t })
    expect(both.split(',')).toHaveLength(3)
    await expect(verify(body, both, newSecret, { now: t })).resolves.toEqual({ timestamp: t, secretIndex: 0 })
    await expect(verify(body, both, [oldSecret], { now: t })).resolves.toEqual({ timestamp: t, secretIndex: 0 })
    await expect(verify(body, both, [newSecret, oldSecret], { now: t })).resolves.toEqual({ timestamp: t, secretIndex: 0 })
  })

  it('refuses a delivery signed with a secret the receiver no longer holds', async () => {
    const signedWithOld = await sign(body, oldSecret, { timestamp: t })
    expect(await codeOf(verify(body, signedWithOld, [newSecret], { now: t }))).toBe('signature_mismatch')
  })

  it('takes secrets as bytes, and a string secret as its UTF-8 bytes', async () => {
    const unicode = 'whsec_ünïcødé_🔑'
    const signed = await sign(body, unicode, { timestamp: t })
    expect(signed).toBe(`t=${t},v1=${reference(body, unicode, t)}`)
    await expect(verify(body, signed, new TextEncoder().encode(unicode), { now: t })).resolves.toMatchObject({ secretIndex: 0 })
  })

  it('copies a secret given as bytes, so a reused buffer cannot change the key', async () => {
    const key = new TextEncoder().encode(secret)
    const verifier = createVerifier({ secret: key, now: t })
    key.fill(0)
    await expect(verifier.verify(body, header)).resolves.toMatchObject({ timestamp: t })
  })
})

describe('tolerance and clock', () => {
  it.each([
    [t + 300, 'valid'],
    [t - 300, 'valid'],
    [t + 300.5, 'timestamp_out_of_tolerance'],
    [t - 300.5, 'timestamp_out_of_tolerance'],
    [t + 301, 'timestamp_out_of_tolerance'],
    [t - 301, 'timestamp_out_of_tolerance'],
  ])('with now = %d the default tolerance gives %s', async (now, expected) => {
    const attempt = verify(body, header, secret, { now })
    if (expected === 'valid') await expect(attempt).resolves.toMatchObject({ timestamp: t })
    else expect(await codeOf(attempt)).toBe(expected)
  })

  it('with tolerance 0 accepts only the same second', async () => {
    await expect(verify(body, header, secret, { now: t, tolerance: 0 })).resolves.toMatchObject({ timestamp: t })
    expect(await codeOf(verify(body, header, secret, { now: t + 1, tolerance: 0 }))).toBe('timestamp_out_of_tolerance')
  })

  it('reads now from a function on every call', async () => {
    let clock = t
    const verifier = createVerifier({ secret, now: () => clock })
    await expect(verifier.verify(body, header)).resolves.toMatchObject({ timestamp: t })
    clock = t + 301
    expect(await codeOf(verifier.verify(body, header))).toBe('timestamp_out_of_tolerance')
  })

  it('uses the system clock by default', async () => {
    const fresh = await sign(body, secret)
    await expect(verify(body, fresh, secret)).resolves.toMatchObject({ secretIndex: 0 })
    expect(await codeOf(verify(body, header, secret))).toBe('timestamp_out_of_tolerance')
  })

  it('says in which direction the clock was off', async () => {
    const late = await errorOf(verify(body, header, secret, { now: t + 400 }))
    expect(late.message).toBe("Signature timestamp is outside the tolerance window: signed 400 s before the receiver's clock, tolerance 300 s")
    const early = await errorOf(verify(body, header, secret, { now: t - 400 }))
    expect(early.message).toMatch(/signed 400 s after the receiver's clock/)
  })

  it('checks the signature before the window, so a forgery learns nothing about it', async () => {
    const forged = `t=${t},v1=${'0'.repeat(64)}`
    expect(await codeOf(verify(body, forged, secret, { now: t + 100_000 }))).toBe('signature_mismatch')
  })
})

describe('caller mistakes are TypeErrors, at creation for a verifier', () => {
  it.each([
    ['an empty secret', { secret: '' }],
    ['an empty byte secret', { secret: new Uint8Array(0) }],
    ['an empty secrets array', { secrets: [] }],
    ['an empty secret among secrets', { secrets: ['whsec_a', ''] }],
    ['an undefined secret (unset env var)', { secret: undefined }],
    ['both secret and secrets', { secret: 'a', secrets: ['b'] }],
    ['secrets that are not an array', { secrets: 'whsec_a' }],
    ['a negative tolerance', { secret, tolerance: -1 }],
    ['a tolerance that is not a number', { secret, tolerance: '300' }],
    ['a NaN tolerance', { secret, tolerance: Number.NaN }],
    ['a clock that is not a number', { secret, now: '1733212800' }],
    ['a replay store without claim()', { secret, replayStore: {} }],
  ])('createVerifier throws on %s', (_, options) => {
    expect(() => createVerifier(options as never)).toThrow(TypeError)
  })

  it('createVerifier without options throws a TypeError that shows the call', () => {
    expect(() => createVerifier(undefined as never)).toThrow(/createVerifier\(\{ secret \}\)/)
  })

  it('hints at an unset environment variable for an undefined secret', () => {
    expect(() => createVerifier({ secret: undefined as never })).toThrow(/createVerifier needs secret/)
    return expect(verify(body, header, undefined as never)).rejects.toThrow(/environment variable/)
  })

  it('verify() rejects with a TypeError on an empty secret or array', async () => {
    await expect(verify(body, header, '', { now: t })).rejects.toThrow(TypeError)
    await expect(verify(body, header, [], { now: t })).rejects.toThrow(TypeError)
  })

  it('a clock function that returns garbage is a TypeError, not a verdict', async () => {
    const verifier = createVerifier({ secret, now: () => Number.NaN })
    await expect(verifier.verify(body, header)).rejects.toThrow(TypeError)
  })

  it.each([-1, 1.5, Number.NaN, 1e15, '1733212800'])('sign() refuses the timestamp %s', async (timestamp) => {
    await expect(sign(body, secret, { timestamp: timestamp as number })).rejects.toThrow(TypeError)
  })

  it('never puts a secret in an error message', async () => {
    const messages: string[] = []
    const signedNotJson = await sign('not json', secret, { timestamp: t })
    for (const attempt of [
      () => verify(body, header, 'whsec_not_the_one', { now: t }),
      () => verify(body, header, secret, { now: t + 1000 }),
      () => verify(body, 't=1,v1=zz', secret, { now: t }),
      () => verifyEvent('not json', signedNotJson, secret, { now: t }),
    ]) {
      messages.push(await attempt().then(() => '', (e: unknown) => (e instanceof Error ? `${e.message} ${String(e.cause)}` : '')))
    }
    const expected = reference(body, 'whsec_not_the_one', t)
    for (const message of messages) {
      expect(message).not.toBe('')
      expect(message).not.toContain('whsec_')
      expect(message).not.toContain(expected)
      expect(message).not.toContain('agt_42')
    }
  })
})

describe('verifyEvent', () => {
  it('returns the parsed event with the timestamp and secret index', async () => {
    const result = await verifyEvent<{ type: string }>(body, header, secret, { now: t })
    expect(result).toEqual({ event: JSON.parse(body) as unknown, timestamp: t, secretIndex: 0 })
    expect(result.event.type).toBe('agent.registered')
  })

  it('parses bytes as UTF-8, a leading BOM included', async () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"msg":"héllo"}')])
    const signed = await sign(withBom, secret, { timestamp: t })
    await expect(verifyEvent(withBom, signed, secret, { now: t })).resolves.toMatchObject({ event: { msg: 'héllo' } })
  })

  it.each([
    ['text that is not JSON', Buffer.from('type=agent.registered')],
    ['an empty body', Buffer.alloc(0)],
    ['JSON cut short', Buffer.from('{"id":')],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
  ])('refuses %s with invalid_json and its cause', async (_, payload) => {
    const signed = await sign(payload, secret, { timestamp: t })
    const err = await errorOf(verifyEvent(payload, signed, secret, { now: t }))
    expect(err).toMatchObject({ code: 'invalid_json', status: 400, message: 'Malformed JSON body' })
    expect(err.cause).toBeInstanceOf(Error)
  })

  it('checks the signature before the JSON', async () => {
    expect(await codeOf(verifyEvent('not json', header, secret, { now: t }))).toBe('signature_mismatch')
  })

  it('createVerifier().verifyEvent parses too', async () => {
    const verifier = createVerifier({ secret, now: t })
    await expect(verifier.verifyEvent(Buffer.from(body), header)).resolves.toMatchObject({ event: { id: 'evt_01JE2Z7Q' } })
  })
})

describe('a verifier reused', () => {
  it('gives the same answers across many sequential calls', async () => {
    const verifier = createVerifier({ secrets: ['whsec_other', secret], now: t })
    const tampered = body.replace('agt_42', 'agt_43')
    for (let i = 0; i < 500; i++) {
      await expect(verifier.verify(body, header)).resolves.toEqual({ timestamp: t, secretIndex: 1 })
      expect(await codeOf(verifier.verify(tampered, header))).toBe('signature_mismatch')
    }
  })

  it('answers concurrent calls each on their own', async () => {
    const verifier = createVerifier({ secret, now: t })
    const deliveries = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const payload = JSON.stringify({ i })
        return { payload, signed: await sign(payload, secret, { timestamp: t - (i % 5) }), i }
      }),
    )
    const results = await Promise.allSettled(
      deliveries.map(({ payload, signed, i }) =>
        i % 3 === 0 ? verifier.verifyEvent(`${payload} `, signed) : verifier.verifyEvent<{ i: number }>(payload, signed),
      ),
    )
    results.forEach((result, i) => {
      if (i % 3 === 0) {
        expect(result.status).toBe('rejected')
        expect(result.status === 'rejected' && isWebhookVerificationError(result.reason) && result.reason.code).toBe('signature_mismatch')
      } else {
        expect(result).toMatchObject({ status: 'fulfilled', value: { event: { i }, timestamp: t - (i % 5) } })
      }
    })
  })
})

describe('the replay store hook (step 5)', () => {
  function recordingStore(answer: (key: string) => Promise<boolean>): ReplayStore & { calls: [string, number][] } {
    const calls: [string, number][] = []
    return {
      calls,
      claim(key, ttl) {
        calls.push([key, ttl])
        return answer(key)
      },
    }
  }

  it('claims an accepted delivery once, and refuses it when the store has seen it', async () => {
    const seen = new Set<string>()
    const store = recordingStore((key) => Promise.resolve(seen.has(key) ? false : (seen.add(key), true)))
    const verifier = createVerifier({ secret, now: t, replayStore: store })
    await expect(verifier.verify(body, header)).resolves.toMatchObject({ timestamp: t })
    expect(await codeOf(verifier.verify(body, header))).toBe('replayed_signature')
    expect(store.calls).toHaveLength(2)
    const [key, ttl] = store.calls[0] ?? []
    expect(key).toMatch(/^v1:1733212800:[0-9a-f]{32}$/)
    expect(ttl).toBe(601)
  })

  it('never asks the store about a forged, malformed or stale delivery', async () => {
    const store = recordingStore(() => Promise.resolve(true))
    const verifier = createVerifier({ secret, now: t, replayStore: store })
    await codeOf(verifier.verify('tampered', header))
    await codeOf(verifier.verify(body, 'garbage'))
    await codeOf(verifier.verify(body, undefined))
    await codeOf(createVerifier({ secret, now: t + 301, replayStore: store }).verify(body, header))
    expect(store.calls).toHaveLength(0)
  })

  it('gives one key whichever of two rotation signatures is presented', async () => {
    const store = recordingStore(() => Promise.resolve(true))
    const both = await sign(body, ['whsec_old', 'whsec_new'], { timestamp: t })
    const [ts, first, second] = both.split(',')
    const verifier = createVerifier({ secrets: ['whsec_old', 'whsec_new'], now: t, replayStore: store })
    await verifier.verify(body, `${ts ?? ''},${first ?? ''}`)
    await verifier.verify(body, `${ts ?? ''},${second ?? ''}`)
    expect(store.calls[0]?.[0]).toBe(store.calls[1]?.[0])
  })

  it('the key holds no full signature', async () => {
    const store = recordingStore(() => Promise.resolve(true))
    await verify(body, header, secret, { now: t, replayStore: store })
    expect(store.calls[0]?.[0]).not.toContain(header.slice(header.indexOf('v1=') + 3))
  })

  it('a store that fails refuses the delivery with replay_store_unavailable and its cause', async () => {
    const down = new Error('connect ECONNREFUSED 127.0.0.1:6379')
    const err = await errorOf(verify(body, header, secret, { now: t, replayStore: { claim: () => Promise.reject(down) } }))
    expect(err).toMatchObject({ code: 'replay_store_unavailable', status: 503 })
    expect(err.cause).toBe(down)
  })

  it('a store that answers something other than a boolean fails closed', async () => {
    const store = { claim: () => Promise.resolve('OK' as unknown as boolean) }
    expect(await codeOf(verify(body, header, secret, { now: t, replayStore: store }))).toBe('replay_store_unavailable')
  })

  it("with onStoreError: 'allow' accepts the delivery and reports the failure", async () => {
    const down = new Error('connect ECONNREFUSED')
    const result = await verify(body, header, secret, { now: t, replayStore: { claim: () => Promise.reject(down) }, onStoreError: 'allow' })
    expect(result).toMatchObject({ timestamp: t, secretIndex: 0 })
    expect(result.replayStoreError).toMatchObject({ code: 'replay_store_unavailable', cause: down })
  })

  it("with onStoreError: 'allow' still refuses a replay the store did see", async () => {
    const store = { claim: () => Promise.resolve(false) }
    expect(await codeOf(verify(body, header, secret, { now: t, replayStore: store, onStoreError: 'allow' }))).toBe('replayed_signature')
  })

  it('refuses an unknown onStoreError at creation', () => {
    expect(() => createVerifier({ secret, onStoreError: 'ignore' as never })).toThrow(TypeError)
  })

  it('a store that throws synchronously fails closed too', async () => {
    const store: ReplayStore = {
      claim: () => {
        throw new Error('boom')
      },
    }
    expect(await codeOf(verify(body, header, secret, { now: t, replayStore: store }))).toBe('replay_store_unavailable')
  })
})

describe('isWebhookVerificationError', () => {
  it('matches our errors and one from another copy of the package by name and code', () => {
    expect(isWebhookVerificationError(new WebhookVerificationError('signature_mismatch'))).toBe(true)
    const foreign = Object.assign(new Error('No signature matches the payload'), { name: 'WebhookVerificationError', code: 'signature_mismatch', status: 401 })
    expect(isWebhookVerificationError(foreign)).toBe(true)
  })

  it.each([
    ['a plain Error', new Error('x')],
    ['a TypeError', new TypeError('x')],
    ['null', null],
    ['a string', 'WebhookVerificationError'],
    ['the right name with an unknown code', Object.assign(new Error(), { name: 'WebhookVerificationError', code: 'nope' })],
  ])('does not match %s', (_, value) => {
    expect(isWebhookVerificationError(value)).toBe(false)
  })

  it('exposes name, code, status, cause and the public message', () => {
    const cause = new SyntaxError('Unexpected token')
    const err = new WebhookVerificationError('invalid_json', 'position 3', { cause })
    expect(err).toBeInstanceOf(Error)
    expect(err).toMatchObject({ name: 'WebhookVerificationError', code: 'invalid_json', status: 400, cause })
    expect(err.message).toBe('Malformed JSON body: position 3')
    expect(err.publicMessage).toBe('Malformed JSON body')
  })
})
