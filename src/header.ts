import { backend } from '#hmac'
import { WebhookVerificationError } from './errors.js'

/** The header's name, lowercase, as Node and Fetch `Headers` report it. */
export const SIGNATURE_HEADER = 'x-tragentics-signature'

/** Anything with a Fetch-style `get(name)`: `Headers`, `NextRequest#headers`. */
export interface HeadersLike {
  get(name: string): string | null
}

/** A record of headers: Node's `IncomingHttpHeaders`, or a plain object with keys in any case. */
export type HeadersRecord = Readonly<Record<string, string | readonly string[] | undefined>>

/** The header value itself, or a headers object to find it in. */
export type SignatureHeaderInput = string | null | undefined | HeadersLike | HeadersRecord

/** The parsed header: the timestamp exactly as sent, and every v1 as 32 bytes. */
export interface ParsedSignatureHeader {
  /** The `t` digits as they appear in the header (they are signed as such). */
  readonly t: string
  /** `t` as a number of Unix seconds. */
  readonly timestamp: number
  readonly signatures: readonly Uint8Array[]
}

export const MAX_HEADER_LENGTH = 8192
export const MAX_SIGNATURES = 16


function malformed(detail: string): WebhookVerificationError {
  return new WebhookVerificationError('malformed_signature', detail)
}

/**
 * Finds the signature header in whatever the caller passed. Returns
 * `undefined` when it is absent; throws `malformed_signature` when it was sent
 * more than once.
 */
export function readSignatureHeader(input: unknown): string | undefined {
  if (input === null || input === undefined) return undefined
  if (typeof input === 'string') return input
  if (typeof input !== 'object') {
    throw new TypeError(
      `header must be the ${SIGNATURE_HEADER} value (a string) or a headers object, got ${typeof input}`,
    )
  }
  if (typeof (input as Partial<HeadersLike>).get === 'function') {
    const value = (input as HeadersLike).get(SIGNATURE_HEADER)
    return value ?? undefined
  }
  const record = input as Record<string, unknown>
  let found: unknown = record[SIGNATURE_HEADER]
  let matches = found === undefined ? 0 : 1
  for (const key of Object.keys(record)) {
    if (key !== SIGNATURE_HEADER && key.toLowerCase() === SIGNATURE_HEADER) {
      found = record[key]
      matches++
    }
  }
  if (matches > 1) throw malformed('the header appears more than once')
  return headerValue(found)
}

function headerValue(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'string') return value
  if (Array.isArray(value)) {
    // Node and others report a repeated header as an array. One element is
    // just the header; two or more are two headers, which we never merge.
    if (value.length === 0) return undefined
    if (value.length === 1 && typeof value[0] === 'string') return value[0]
    throw malformed('the header appears more than once')
  }
  throw malformed('the header value is not a string')
}

const HEX_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i
}

/** The 64 hex digits (either case) between start and end as 32 bytes; undefined for anything else. */
function decodeSignature(header: string, start: number, end: number): Uint8Array | undefined {
  if (end - start !== 64) return undefined
  const out = backend.alloc(32)
  for (let i = 0; i < 32; i++) {
    const high = HEX_VALUE[header.charCodeAt(start + 2 * i)] ?? -1
    const low = HEX_VALUE[header.charCodeAt(start + 2 * i + 1)] ?? -1
    if ((high | low) < 0) return undefined
    out[i] = (high << 4) | low
  }
  return out
}

/** The value of 1 to 15 ASCII digits between start and end (exact below 2^53); -1 for anything else. */
function timestampValue(header: string, start: number, end: number): number {
  if (end - start < 1 || end - start > 15) return -1
  let value = 0
  for (let i = start; i < end; i++) {
    const digit = header.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

const SPACE = 32
const TAB = 9
const isBlank = (c: number) => c === SPACE || c === TAB

/**
 * Parses a header value by the rules of scheme v1. Throws
 * `malformed_signature` on any breach, before any HMAC is computed.
 * Walks the string once, without splitting it: this runs on every request.
 */
export function parseSignatureHeader(header: string): ParsedSignatureHeader {
  if (header.length > MAX_HEADER_LENGTH) {
    throw malformed(`longer than ${MAX_HEADER_LENGTH} characters`)
  }
  let t: string | undefined
  let timestamp = 0
  const signatures: Uint8Array[] = []
  for (let pos = 0; pos <= header.length; ) {
    const comma = header.indexOf(',', pos)
    const next = comma < 0 ? header.length : comma
    // The element is [start, end), space and tab around it ignored.
    let start = pos
    let end = next
    while (start < end && isBlank(header.charCodeAt(start))) start++
    while (end > start && isBlank(header.charCodeAt(end - 1))) end--
    const eq = header.indexOf('=', start)
    if (eq <= start || eq >= end) throw malformed('every element must be key=value')
    const keyLength = eq - start
    if (keyLength === 1 && header.charCodeAt(start) === 116 /* t */) {
      if (t !== undefined) throw malformed('more than one t')
      timestamp = timestampValue(header, eq + 1, end)
      if (timestamp < 0) throw malformed('t must be 1 to 15 ASCII digits')
      t = header.slice(eq + 1, end)
    } else if (keyLength === 2 && header.charCodeAt(start) === 118 /* v */ && header.charCodeAt(start + 1) === 49 /* 1 */) {
      const signature = decodeSignature(header, eq + 1, end)
      if (!signature) throw malformed('v1 must be 64 hex digits')
      if (signatures.length === MAX_SIGNATURES) throw malformed(`more than ${MAX_SIGNATURES} v1 signatures`)
      signatures.push(signature)
    }
    // Any other key is a later scheme's: ignored.
    pos = next + 1
  }
  if (t === undefined) throw malformed('no t')
  if (signatures.length === 0) throw malformed('no v1')
  return { t, timestamp, signatures }
}
