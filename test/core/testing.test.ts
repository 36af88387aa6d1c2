import { createServer, type Server } from 'node:http'
import { afterEach, describe, expect, it } from 'vitest'
import { createVerifier, SIGNATURE_HEADER, verify } from '@tragentics/webhooks'
import { describeSendFailure, sendSignedDelivery, signedRequest, signPayload, webhookTestClock } from '@tragentics/webhooks/testing'

const secret = 'whsec_testing_helpers'
const event = { id: 'evt_1', type: 'agent.registered', data: { agent_id: 'agt_42' } }

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'valid',
    (err: unknown) => (err as { code?: string }).code ?? String(err),
  )
}

describe('signPayload', () => {
  it('serializes an object once and returns the exact body that was signed', async () => {
    const { body, headers, timestamp } = await signPayload(event, secret)
    expect(body).toBe(JSON.stringify(event))
    expect(headers['content-type']).toBe('application/json')
    expect(headers[SIGNATURE_HEADER]).toMatch(new RegExp(`^t=${timestamp},v1=[0-9a-f]{64}$`))
    await expect(verify(body, headers, secret)).resolves.toMatchObject({ timestamp })
  })

  it('signs a string as given and bytes as given', async () => {
    const pretty = JSON.stringify(event, null, 2)
    const fromString = await signPayload(pretty, secret, { timestamp: 1000 })
    expect(fromString.body).toBe(pretty)
    const bytes = new Uint8Array([0, 255, 1])
    const fromBytes = await signPayload(bytes, secret, { timestamp: 1000 })
    expect(fromBytes.body).toBe(bytes)
    expect(fromBytes.headers['content-type']).toBeUndefined()
    await expect(verify(fromBytes.body, fromBytes.headers, secret, { now: 1000 })).resolves.toMatchObject({ timestamp: 1000 })
  })

  it('makes each delivery a receiver must refuse', async () => {
    const clock = webhookTestClock(1_733_212_800)
    const verifier = createVerifier({ secret, now: clock })
    const attempt = async (p: Promise<{ body: string; headers: Record<string, string> }>) => {
      const { body, headers } = await p
      return codeOf(verifier.verify(body, headers))
    }
    expect(await attempt(signPayload(event, secret, { timestamp: clock() }))).toBe('valid')
    expect(await attempt(signPayload(event, secret, { timestamp: clock() - 600 }))).toBe('timestamp_out_of_tolerance')
    expect(await attempt(signPayload(event, secret, { timestamp: clock() + 600 }))).toBe('timestamp_out_of_tolerance')
    expect(await attempt(signPayload(event, 'whsec_someone_else', { timestamp: clock() }))).toBe('signature_mismatch')
    expect(await attempt(signPayload(event, secret, { timestamp: clock(), tamper: true }))).toBe('signature_mismatch')
    expect(await attempt(signPayload(event, secret, { timestamp: clock(), tamper: (b) => b.replace('agt_42', 'agt_43') }))).toBe('signature_mismatch')
    expect(await attempt(signPayload(event, secret, { timestamp: clock(), omitSignature: true }))).toBe('missing_signature')
  })

  it('keeps a tampered body valid JSON, so only the signature refuses it', async () => {
    const { body } = await signPayload(event, secret, { tamper: true })
    expect(JSON.parse(body)).toEqual(event)
  })

  it('refuses a tamper function that changes nothing', async () => {
    await expect(signPayload(event, secret, { tamper: (b) => b })).rejects.toThrow(TypeError)
  })

  it('signs with several secrets for a rotation, one v1 each', async () => {
    const { body, headers } = await signPayload(event, ['whsec_old', 'whsec_new'])
    expect(headers[SIGNATURE_HEADER]?.match(/v1=/g)).toHaveLength(2)
    await expect(verify(body, headers, 'whsec_new')).resolves.toMatchObject({ secretIndex: 0 })
    await expect(verify(body, headers, ['whsec_other', 'whsec_old'])).resolves.toMatchObject({ secretIndex: 1 })
  })
})

describe('signedRequest', () => {
  it('builds a Fetch Request whose body and headers verify', async () => {
    const request = await signedRequest('http://127.0.0.1/api/webhooks', event, secret)
    expect(request.method).toBe('POST')
    expect(request.url).toBe('http://127.0.0.1/api/webhooks')
    const result = await verify(new Uint8Array(await request.arrayBuffer()), request.headers, secret)
    expect(result.secretIndex).toBe(0)
  })

  it('takes the rejection options and extra headers', async () => {
    const request = await signedRequest('http://127.0.0.1/', event, secret, { tamper: true, headers: { 'x-request-id': 'r1' } })
    expect(request.headers.get('x-request-id')).toBe('r1')
    expect(await codeOf(verify(await request.text(), request.headers, secret))).toBe('signature_mismatch')
  })
})

describe('webhookTestClock', () => {
  it('is a clock to call, advance and set', () => {
    const clock = webhookTestClock(100)
    expect(clock()).toBe(100)
    expect(clock.advance(5)).toBe(105)
    clock.set(50)
    expect(clock()).toBe(50)
    expect(() => clock.advance(Number.NaN)).toThrow(TypeError)
  })

  it('starts at the system clock by default', () => {
    expect(Math.abs(webhookTestClock()() - Date.now() / 1000)).toBeLessThan(2)
  })

  it('moves a verifier past the window', async () => {
    const clock = webhookTestClock(1_000_000)
    const verifier = createVerifier({ secret, now: clock })
    const { body, headers } = await signPayload(event, secret, { timestamp: clock() })
    expect(await codeOf(verifier.verify(body, headers))).toBe('valid')
    clock.advance(301)
    expect(await codeOf(verifier.verify(body, headers))).toBe('timestamp_out_of_tolerance')
  })
})

describe('sendSignedDelivery', () => {
  let server: Server | undefined
  afterEach(async () => {
    if (server) await new Promise((r) => server?.close(r))
    server = undefined
  })

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const s = createServer(handler)
    server = s
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
    const address = s.address()
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/webhooks`
  }

  it('POSTs the signed body and returns the answer with the time taken', async () => {
    const url = await listen((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
        void verify(Buffer.concat(chunks), req.headers, secret).then(
          () => res.writeHead(204).end(),
          () => res.writeHead(401).end('{"error":"No signature matches the payload"}'),
        )
      })
    })
    const ok = await sendSignedDelivery(url, event, secret)
    expect(ok.status).toBe(204)
    expect(ok.ms).toBeGreaterThan(0)
    const forged = await sendSignedDelivery(url, event, 'whsec_wrong')
    expect(forged).toMatchObject({ status: 401, body: '{"error":"No signature matches the payload"}' })
  })

  it('says a refused connection is refused', async () => {
    const url = await listen(() => undefined)
    await new Promise((r) => server?.close(r))
    server = undefined
    await expect(sendSignedDelivery(url, event, secret)).rejects.toThrow(/^connection refused: nothing is listening at/)
  })

  it('says a receiver that never answers timed out', async () => {
    const url = await listen(() => undefined)
    server?.on('connection', (socket) => setTimeout(() => socket.destroy(), 2000).unref())
    await expect(sendSignedDelivery(url, event, secret, { timeoutMs: 200 })).rejects.toThrow('timed out: no answer from')
  })

  it.each([
    [{ cause: { code: 'ENOTFOUND' } }, /^DNS failure/],
    [{ cause: { code: 'EAI_AGAIN' } }, /^DNS failure/],
    [{ cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } }, /^TLS failure/],
    [{ cause: { code: 'ERR_TLS_CERT_ALTNAME_INVALID' } }, /^TLS failure/],
    [{ cause: { code: 'ECONNRESET' } }, /^connection reset/],
  ])('tells %o apart', (err, expected) => {
    expect(describeSendFailure(Object.assign(new TypeError('fetch failed'), err), 'https://example.invalid/', 1000)).toMatch(expected)
  })
})
