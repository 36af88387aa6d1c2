import { SIGNATURE_HEADER } from './header.js'
import { isBytes, systemClock, type Secret } from './input.js'
import { sign } from './sign.js'

/** What {@link signPayload} signs: an object (serialized once with JSON.stringify), a string, or bytes. */
export type TestPayload = string | Uint8Array | object

/** Options of {@link signPayload} and {@link signedRequest}. */
export interface SignPayloadOptions {
  /** The signing time, Unix seconds. Default the system clock. Put it in the past or future to test the window. */
  timestamp?: number
  /**
   * Changes the body after it was signed, to test `signature_mismatch`:
   * `true` appends a space (still valid JSON), a function returns the body to send instead.
   */
  tamper?: boolean | ((body: string) => string)
  /** Leaves the signature header out, to test `missing_signature`. */
  omitSignature?: boolean
  /** The Content-Type header. Default `application/json` for an object or string, none for bytes. */
  contentType?: string
}

/** A delivery ready to send: the exact body and the headers that go with it. */
export interface SignedPayload<TBody extends string | Uint8Array = string | Uint8Array> {
  /** The body to send, byte for byte what was signed (unless `tamper` changed it). */
  body: TBody
  /** `x-tragentics-signature` and `content-type`, lowercase. */
  headers: Record<string, string>
  /** The timestamp that was signed. */
  timestamp: number
}

function encodeBody(payload: TestPayload): string | Uint8Array {
  if (typeof payload === 'string' || isBytes(payload)) return payload
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload)
  if (typeof payload !== 'object' || (payload as unknown) === null) {
    throw new TypeError('payload must be an object, a string or bytes')
  }
  return JSON.stringify(payload)
}

function tampered(body: string | Uint8Array, tamper: SignPayloadOptions['tamper']): string | Uint8Array {
  if (!tamper) return body
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body)
  const changed = typeof tamper === 'function' ? tamper(text) : `${text} `
  if (changed === text) throw new TypeError('tamper returned the body unchanged: it would still verify')
  return typeof body === 'string' ? changed : new TextEncoder().encode(changed)
}

/**
 * Signs a payload the way Tragentics does and returns the exact body with
 * the headers to send, for a test of your receiver. An object is serialized
 * once, so the body sent is the body signed.
 *
 * @param payload - an object (JSON.stringify), a string, or bytes
 * @param secret - the receiver's secret; a different one makes a delivery it must refuse; an array signs with each (rotation)
 * @param options - `timestamp` (default now), `tamper`, `omitSignature`, `contentType`
 * @example
 * const { body, headers } = await signPayload({ type: 'agent.registered' }, secret)
 * await request(app).post('/webhooks').set(headers).send(body)
 */
export async function signPayload(payload: object | string, secret: Secret | readonly Secret[], options?: SignPayloadOptions): Promise<SignedPayload<string>>
export async function signPayload(payload: Uint8Array, secret: Secret | readonly Secret[], options?: SignPayloadOptions): Promise<SignedPayload<Uint8Array>>
export async function signPayload(payload: TestPayload, secret: Secret | readonly Secret[], options?: SignPayloadOptions): Promise<SignedPayload>
export async function signPayload(payload: TestPayload, secret: Secret | readonly Secret[], options: SignPayloadOptions = {}): Promise<SignedPayload> {
  const body = encodeBody(payload)
  const timestamp = options.timestamp ?? systemClock()
  const header = await sign(body, secret, { timestamp })
  const headers: Record<string, string> = {}
  const contentType = options.contentType ?? (typeof body === 'string' ? 'application/json' : undefined)
  if (contentType !== undefined) headers['content-type'] = contentType
  if (!options.omitSignature) headers[SIGNATURE_HEADER] = header
  return { body: tampered(body, options.tamper), headers, timestamp }
}

/** Options of {@link signedRequest}: those of {@link signPayload}, and the request's own. */
export interface SignedRequestOptions extends SignPayloadOptions {
  /** The method. Default `POST`. */
  method?: string
  /** More headers; they win over the signed ones, so one can replace the signature too. */
  headers?: Record<string, string>
}

/**
 * Builds a signed Fetch `Request`, for a test of a Fetch-style handler
 * (Next.js App Router, Hono, Workers) or to send with `fetch`.
 *
 * @example
 * const response = await POST(await signedRequest('http://localhost/api/webhooks', { type: 'agent.registered' }, secret))
 */
export async function signedRequest(url: string | URL, payload: TestPayload, secret: Secret | readonly Secret[], options: SignedRequestOptions = {}): Promise<Request> {
  const { method = 'POST', headers: extra, ...signOptions } = options
  const { body, headers } = await signPayload(payload, secret, signOptions)
  return new Request(url, { method, body: body as BodyInit, headers: { ...headers, ...extra } })
}

/** Options of {@link sendSignedDelivery}: those of {@link signPayload}, and the request's own. */
export interface SendSignedDeliveryOptions extends SignPayloadOptions {
  /** More headers; they win over the signed ones. Content-Type defaults to `application/json`. */
  headers?: Record<string, string>
  /** Give up after this many milliseconds. Default 10,000. */
  timeoutMs?: number
}

/** The receiver's answer to a delivery. */
export interface SendResult {
  status: number
  /** The response body, as text. */
  body: string
  /** Milliseconds from sending to the end of the answer. */
  ms: number
}

/** Says why a delivery could not be sent, in words a person can act on. */
export function describeSendFailure(err: unknown, url: string, timeoutMs: number): string {
  const error = err as { name?: string; cause?: { code?: string; message?: string; name?: string } }
  const code = error.cause?.code ?? ''
  if (error.name === 'TimeoutError' || error.cause?.name === 'ConnectTimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `timed out: no answer from ${url} within ${timeoutMs} ms`
  }
  if (code === 'ECONNREFUSED') return `connection refused: nothing is listening at ${url}`
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return `DNS failure: the host of ${url} could not be resolved (${code})`
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|EPROTO/i.test(code)) return `TLS failure: ${code} talking to ${url}`
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `connection reset: ${url} closed the connection without an answer`
  return `request failed: ${code || error.cause?.message || (err instanceof Error ? err.message : 'unknown error')}`
}

/**
 * Signs a payload and POSTs it to a receiver, as Tragentics would: what the
 * CLI's `send` does, for an end-to-end test of a running server. Resolves
 * with any answer; rejects, with a message that tells refused, timed out,
 * DNS and TLS failures apart, when there is none.
 *
 * @example
 * const { status } = await sendSignedDelivery('http://127.0.0.1:3000/webhooks', { type: 'agent.registered' }, secret)
 */
export async function sendSignedDelivery(url: string, payload: TestPayload, secret: Secret | readonly Secret[], options: SendSignedDeliveryOptions = {}): Promise<SendResult> {
  const { headers: extra, timeoutMs = 10_000, ...signOptions } = options
  const { body, headers } = await signPayload(payload, secret, signOptions)
  const started = performance.now()
  try {
    const response = await fetch(url, {
      method: 'POST',
      body: body as BodyInit,
      headers: { 'content-type': 'application/json', ...headers, ...extra },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    })
    const text = await response.text()
    return { status: response.status, body: text, ms: performance.now() - started }
  } catch (err) {
    throw new Error(describeSendFailure(err, url, timeoutMs), { cause: err })
  }
}

/** A clock to pass as `now`: call it for the time, move it with `advance` and `set`. */
export interface WebhookTestClock {
  /** The clock's time, Unix seconds. */
  (): number
  /** Moves the clock by some seconds (negative goes back); returns the new time. */
  advance(seconds: number): number
  /** Sets the clock to a time, Unix seconds. */
  set(timestamp: number): void
}

/**
 * A controllable clock for tests: give it to a verifier or middleware as
 * `now`, sign with `timestamp: clock()`, then `advance` it past the window.
 *
 * @param start - Unix seconds. Default the system clock at creation.
 * @example
 * const clock = webhookTestClock(1733212800)
 * const verifier = createVerifier({ secret, now: clock })
 * clock.advance(301) // the next delivery signed at 1733212800 is timestamp_out_of_tolerance
 */
export function webhookTestClock(start: number = systemClock()): WebhookTestClock {
  const check = (value: number, what: string) => {
    if (!Number.isFinite(value)) throw new TypeError(`${what} must be a finite number of seconds`)
    return value
  }
  let now = check(start, 'start')
  const clock = (() => now) as WebhookTestClock
  clock.advance = (seconds) => (now += check(seconds, 'seconds'))
  clock.set = (timestamp) => {
    now = check(timestamp, 'timestamp')
  }
  return clock
}
