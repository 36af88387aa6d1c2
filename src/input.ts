/** The raw request body: the exact bytes, or a string read as UTF-8. */
export type Payload = string | Uint8Array | ArrayBuffer

/** A signing secret: its UTF-8 encoding (or the bytes themselves) is the HMAC key. */
export type Secret = string | Uint8Array

const RAW_BODY_HINT =
  'pass the raw request body (the exact bytes) as a Buffer, Uint8Array or string, not a parsed object: ' +
  "use the middleware from '@tragentics/webhooks/express', '/koa' or '/next', " +
  "mount express.raw({ type: 'application/json' }) on the route, or read await request.arrayBuffer() in a Fetch handler"

/** A short description of a wrong value for an error message (never its contents when it is an object). */
export function describe(value: unknown): string {
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return String(value)
    case 'object':
      return value === null ? 'null' : Array.isArray(value) ? 'an array' : 'an object'
    default:
      return `a ${typeof value}`
  }
}

function tagOf(value: unknown): string {
  return Object.prototype.toString.call(value)
}

/**
 * A Uint8Array (a Buffer is one), also one made in another realm: edge
 * sandboxes and `vm` contexts have their own `Uint8Array`, so `instanceof`
 * would refuse their bodies.
 */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && tagOf(value) === '[object Uint8Array]')
}

/** Checks the payload and returns it as a string or a byte view, without copying. */
export function toBody(payload: unknown): string | Uint8Array {
  if (typeof payload === 'string' || isBytes(payload)) return payload
  if (tagOf(payload) === '[object ArrayBuffer]') return new Uint8Array(payload as ArrayBuffer)
  throw new TypeError(`payload must be a string, Uint8Array or Buffer, got ${describe(payload)}: ${RAW_BODY_HINT}`)
}

/** Checks one or several secrets: a string as it is, bytes as a copy (a caller reusing its buffer cannot change the key). */
export function toSecrets(secretOrSecrets: unknown, label = 'secret'): Secret[] {
  const list = Array.isArray(secretOrSecrets) ? (secretOrSecrets as unknown[]) : [secretOrSecrets]
  if (list.length === 0) {
    throw new TypeError(`${label} must not be an empty array: give at least one webhook secret`)
  }
  return list.map((secret, index) => {
    const where = Array.isArray(secretOrSecrets) ? `${label}[${index}]` : label
    if (typeof secret === 'string') {
      if (secret.length === 0) throw new TypeError(`${where} is empty: set it to your webhook secret (whsec_...)`)
      return secret
    }
    if (isBytes(secret)) {
      if (secret.length === 0) throw new TypeError(`${where} is empty: set it to your webhook secret's bytes`)
      return secret.slice()
    }
    throw new TypeError(
      `${where} must be a string or a Uint8Array, got ${describe(secret)}` +
        (secret === undefined ? ': is the environment variable holding it set?' : ''),
    )
  })
}

/** Checks a tolerance in seconds. */
export function toTolerance(tolerance: unknown): number {
  if (tolerance === undefined) return DEFAULT_TOLERANCE
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance < 0) {
    throw new TypeError(`tolerance must be a finite number of seconds >= 0, got ${describe(tolerance)}`)
  }
  return tolerance
}

/** The default tolerance, in seconds, in both directions. */
export const DEFAULT_TOLERANCE = 300

/** A clock: Unix seconds, or a function returning them. */
export type Clock = number | (() => number)

/** Checks a clock option and returns a function that reads it. */
export function toClock(now: unknown): () => number {
  if (now === undefined) return systemClock
  if (typeof now === 'function') {
    return () => checkedNow((now as () => unknown)())
  }
  const fixed = checkedNow(now)
  return () => fixed
}

function checkedNow(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`now must be Unix seconds (a finite number) or a function returning them, got ${describe(value)}`)
  }
  return value
}

export function systemClock(): number {
  return Math.floor(Date.now() / 1000)
}
