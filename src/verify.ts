import { backend } from '#hmac'
import { WebhookVerificationError } from './errors.js'
import { parseSignatureHeader, readSignatureHeader, type SignatureHeaderInput } from './header.js'
import { describe, toBody, toClock, toSecrets, toTolerance, type Clock, type Payload, type Secret } from './input.js'
import { toHex } from './hex.js'
import { parseJsonBody } from './json.js'

/**
 * Remembers which deliveries were already accepted. `claim` resolves `true`
 * the first time it sees `key` and `false` every later time within
 * `ttlSeconds`; it rejects when the store cannot be asked.
 */
export interface ReplayStore {
  claim(key: string, ttlSeconds: number): Promise<boolean>
}

/** Options of {@link verify} and {@link verifyEvent}. */
export interface VerifyOptions {
  /** Seconds allowed between the receiver's clock and `t`, in both directions. Default 300. */
  tolerance?: number
  /** The receiver's clock in Unix seconds, or a function returning it. Default the system clock. */
  now?: Clock
  /** Where accepted deliveries are recorded, so a replay is refused. Default none. */
  replayStore?: ReplayStore
  /**
   * When the replay store cannot be asked: `'reject'` refuses the delivery
   * with `replay_store_unavailable` (503, the sender retries); `'allow'`
   * accepts it unchecked and reports the failure as `replayStoreError`.
   * Default `'reject'`.
   */
  onStoreError?: 'reject' | 'allow'
}

/** What a successful verification reports. */
export interface VerifyResult {
  /** The signing time from the header, Unix seconds. */
  timestamp: number
  /** Which of the receiver's secrets matched (0 for a single secret). */
  secretIndex: number
  /** With `onStoreError: 'allow'`, the store failure this delivery was accepted despite. */
  replayStoreError?: WebhookVerificationError
}

/** A verified delivery with its JSON body parsed. */
export interface VerifiedEvent<T = unknown> extends VerifyResult {
  event: T
}

/** Options of {@link createVerifier}: one secret, or several during a rotation. */
export type VerifierOptions = VerifyOptions &
  (
    | { /** The webhook secret. */ secret: Secret; secrets?: never }
    | { /** Every secret currently accepted, during a rotation. */ secrets: readonly Secret[]; secret?: never }
  )

/** A verifier with its keys prepared once; see {@link createVerifier}. */
export interface Verifier {
  /** Verifies a delivery; resolves with its timestamp, rejects with a `WebhookVerificationError`. */
  verify(payload: Payload, header: SignatureHeaderInput): Promise<VerifyResult>
  /** Verifies a delivery and parses its JSON body. */
  verifyEvent<T = unknown>(payload: Payload, header: SignatureHeaderInput): Promise<VerifiedEvent<T>>
}

type Key = Parameters<typeof backend.digest>[0]

interface Prepared {
  /** The keys: plain values on node:crypto, a promise on WebCrypto (imported once). */
  keys: readonly Key[] | Promise<readonly Key[]>
  tolerance: number
  clock: () => number
  replayStore: ReplayStore | undefined
  allowStoreErrors: boolean
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function'
}

function prepare(secrets: Secret[], options: VerifyOptions | undefined): Prepared {
  const tolerance = toTolerance(options?.tolerance)
  const clock = toClock(options?.now)
  const replayStore = options?.replayStore
  if (replayStore !== undefined && typeof (replayStore as Partial<ReplayStore>).claim !== 'function') {
    throw new TypeError('replayStore must have a claim(key, ttlSeconds) method, like MemoryReplayStore')
  }
  const onStoreError = (options as { onStoreError?: unknown } | undefined)?.onStoreError
  if (onStoreError !== undefined && onStoreError !== 'reject' && onStoreError !== 'allow') {
    throw new TypeError(`onStoreError must be 'reject' or 'allow', got ${describe(onStoreError)}`)
  }
  const imported = secrets.map((s) => backend.importKey(s))
  const prepared: Prepared = { keys: imported as Key[], tolerance, clock, replayStore, allowStoreErrors: onStoreError === 'allow' }
  if (imported.some(isPromise)) {
    // eslint-disable-next-line @typescript-eslint/await-thenable -- the web backend's keys are promises
    const all = Promise.all(imported)
    prepared.keys = all
    // Once imported, the keys replace the promise: later requests need not wait a turn for them.
    all.then(
      (keys) => (prepared.keys = keys),
      () => undefined, // a failed import is reported by each verification that needs it
    )
  }
  return prepared
}

/**
 * The checks of scheme v1 in order. On node:crypto nothing in it waits
 * (no await runs unless a replay store is configured), so a verification
 * costs one promise beyond the HMAC itself.
 */
async function check<R>(prepared: Prepared, payload: Payload, header: SignatureHeaderInput, finish: (body: string | Uint8Array, result: VerifyResult) => R): Promise<R> {
  const body = toBody(payload)
  const value = readSignatureHeader(header)
  // 1. Absent or empty.
  if (value === undefined || value === '') throw new WebhookVerificationError('missing_signature')
  // 2. Parsed before any HMAC is computed.
  const parsed = parseSignatureHeader(value)

  // 3. One HMAC per secret, compared with every v1. No early exit: each
  // comparison runs whatever an earlier one found.
  const keys = isPromise(prepared.keys) ? await prepared.keys : prepared.keys
  const prefix = `${parsed.t}.`
  let secretIndex = -1
  let first: Uint8Array | undefined
  for (let i = 0; i < keys.length; i++) {
    const digest = backend.digest(keys[i] as Key, prefix, body)
    const bytes = isPromise(digest) ? await digest : digest
    const expected = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)
    first ??= expected
    for (const signature of parsed.signatures) {
      if (backend.equal(expected, signature) && secretIndex < 0) secretIndex = i
    }
  }
  if (secretIndex < 0) throw new WebhookVerificationError('signature_mismatch')

  // 4. The window, only once the signature is known to be genuine.
  const now = prepared.clock()
  const skew = now - parsed.timestamp
  if (Math.abs(skew) > prepared.tolerance) {
    throw new WebhookVerificationError(
      'timestamp_out_of_tolerance',
      skew > 0
        ? `signed ${skew} s before the receiver's clock, tolerance ${prepared.tolerance} s`
        : `signed ${-skew} s after the receiver's clock, tolerance ${prepared.tolerance} s`,
    )
  }

  // 5. Recorded only now, so forged or stale requests never fill the store.
  const result: VerifyResult = { timestamp: parsed.timestamp, secretIndex }
  if (prepared.replayStore && first) {
    try {
      await claimOnce(prepared.replayStore, replayKey(parsed.t, first), replayTtl(prepared.tolerance))
    } catch (err) {
      if (!(prepared.allowStoreErrors && err instanceof WebhookVerificationError && err.code === 'replay_store_unavailable')) throw err
      result.replayStoreError = err
    }
  }
  return finish(body, result)
}

/**
 * The last preparation of the one-call forms, kept while the next call has
 * the same string secret and the same options: a handler that calls
 * verify(body, headers, process.env.SECRET) then costs what a verifier does.
 */
let memo: { secret: string; options: unknown[]; prepared: Prepared } | undefined

function memoized(secret: unknown, options: VerifyOptions | undefined): Prepared {
  if (typeof secret !== 'string') return prepare(toSecrets(secret), options)
  const key = [options?.tolerance, options?.now, options?.replayStore, options?.onStoreError]
  if (memo?.secret === secret && memo.options.every((value, i) => value === key[i])) return memo.prepared
  const prepared = prepare(toSecrets(secret), options)
  memo = { secret, options: key, prepared }
  return prepared
}

/** The one-call forms: a caller mistake rejects, like a refusal, rather than throwing. */
function checkWith<R>(secret: unknown, options: VerifyOptions | undefined, payload: Payload, header: SignatureHeaderInput, finish: (body: string | Uint8Array, result: VerifyResult) => R): Promise<R> {
  let prepared: Prepared
  try {
    prepared = memoized(secret, options)
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new TypeError(String(err)))
  }
  return check(prepared, payload, header, finish)
}

const resultOnly = (_body: string | Uint8Array, result: VerifyResult): VerifyResult => result
const withEvent = <T>(body: string | Uint8Array, result: VerifyResult): VerifiedEvent<T> => {
  const verified = result as VerifiedEvent<T>
  verified.event = parseJsonBody<T>(body)
  return verified
}

/**
 * The replay key of a delivery: its timestamp and the first half of its HMAC
 * under the receiver's first secret. It is the same whichever of the sent
 * signatures matched (a replay that drops one of two v1 during a rotation is
 * still caught), and the half-HMAC stored is not a usable signature.
 */
function replayKey(t: string, digest: Uint8Array): string {
  return `v1:${t}:${toHex(digest.subarray(0, 16))}`
}

/** A delivery passes the window for at most 2 × tolerance seconds, wherever in it it arrived. */
function replayTtl(tolerance: number): number {
  return Math.ceil(2 * tolerance) + 1
}

async function claimOnce(store: ReplayStore, key: string, ttl: number): Promise<void> {
  let fresh: unknown
  try {
    fresh = await store.claim(key, ttl)
  } catch (cause) {
    throw new WebhookVerificationError('replay_store_unavailable', 'the replay store failed', { cause })
  }
  if (typeof fresh !== 'boolean') {
    throw new WebhookVerificationError(
      'replay_store_unavailable',
      `replayStore.claim() must resolve to a boolean, got ${typeof fresh}`,
    )
  }
  if (!fresh) throw new WebhookVerificationError('replayed_signature')
}

/**
 * Verifies a delivery against one secret or several.
 *
 * Runs the checks of scheme v1 in order: header present, header well formed,
 * a signature matches, timestamp within `tolerance`, not a replay (with a
 * `replayStore`). Prefer {@link createVerifier} in a server: it prepares the
 * keys once.
 *
 * @param payload - the raw body: the exact bytes, or a string read as UTF-8
 * @param header - the `X-Tragentics-Signature` value, or a headers object (Fetch `Headers`, Node `req.headers`, a plain record)
 * @param secret - the secret, or an array of secrets during a rotation
 * @param options - `tolerance` (default 300 s), `now` (default the system clock), `replayStore` (default none),
 *   `onStoreError` (default `'reject'`)
 * @returns the signature's timestamp and the index of the secret that matched
 * @throws {WebhookVerificationError} when the delivery is refused, with the contract's `code` and `status`
 * @throws {TypeError} when the payload is a parsed object, or a secret or option is invalid
 * @example
 * const { timestamp } = await verify(rawBody, req.headers, process.env.TRAGENTICS_WEBHOOK_SECRET!)
 */
export function verify(
  payload: Payload,
  header: SignatureHeaderInput,
  secret: Secret | readonly Secret[],
  options?: VerifyOptions,
): Promise<VerifyResult> {
  return checkWith(secret, options, payload, header, resultOnly)
}

/**
 * Verifies a delivery like {@link verify}, then parses its body as JSON.
 *
 * @returns the parsed event, its timestamp and the index of the secret that matched
 * @throws {WebhookVerificationError} as {@link verify} does, and `invalid_json` when the body is not JSON (or not UTF-8)
 * @throws {TypeError} when the payload is a parsed object, or a secret or option is invalid
 * @example
 * const { event } = await verifyEvent<{ type: string }>(rawBody, request.headers, secret)
 */
export function verifyEvent<T = unknown>(
  payload: Payload,
  header: SignatureHeaderInput,
  secret: Secret | readonly Secret[],
  options?: VerifyOptions,
): Promise<VerifiedEvent<T>> {
  return checkWith(secret, options, payload, header, withEvent<T>)
}

/**
 * Creates a verifier with its secrets checked and its keys prepared once:
 * what a server (and every adapter of this package) should use.
 *
 * @param options - `secret` or `secrets` (required, not empty), `tolerance` (default 300 s),
 *   `now` (default the system clock), `replayStore` (default none), `onStoreError` (default `'reject'`)
 * @throws {TypeError} at creation, when no secret is given, a secret is empty, or an option is invalid
 * @example
 * const verifier = createVerifier({ secrets: [process.env.NEW_SECRET!, process.env.OLD_SECRET!] })
 * const { event } = await verifier.verifyEvent(rawBody, req.headers)
 */
export function createVerifier(options: VerifierOptions): Verifier {
  if (typeof (options as unknown) !== 'object' || (options as unknown) === null) {
    throw new TypeError('createVerifier needs an options object: createVerifier({ secret })')
  }
  const hasSecret = options.secret !== undefined
  const hasSecrets = options.secrets !== undefined
  if (hasSecret === hasSecrets) {
    throw new TypeError(
      hasSecret
        ? 'give either secret or secrets, not both: put every accepted secret in secrets'
        : 'createVerifier needs secret (a string or Uint8Array) or secrets (an array of them)',
    )
  }
  if (hasSecrets && !Array.isArray(options.secrets)) {
    throw new TypeError('secrets must be an array of strings or Uint8Arrays: use secret for a single one')
  }
  const secrets = hasSecret ? toSecrets(options.secret) : toSecrets(options.secrets, 'secrets')
  const prepared = prepare(secrets, options)
  return {
    verify: (payload, header) => check(prepared, payload, header, resultOnly),
    verifyEvent: <T = unknown>(payload: Payload, header: SignatureHeaderInput) => check(prepared, payload, header, withEvent<T>),
  }
}
