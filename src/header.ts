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

const TIMESTAMP = /^[0-9]{1,15}$/
const HEX64 = /^[0-9a-fA-F]{64}$/

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

function trimSpaceAndTab(s: string): string {
  let start = 0
  let end = s.length
  while (start < end && (s[start] === ' ' || s[start] === '\t')) start++
  while (end > start && (s[end - 1] === ' ' || s[end - 1] === '\t')) end--
  return start === 0 && end === s.length ? s : s.slice(start, end)
}

function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

/**
 * Parses a header value by the rules of scheme v1. Throws
 * `malformed_signature` on any breach, before any HMAC is computed.
 */
export function parseSignatureHeader(header: string): ParsedSignatureHeader {
  if (header.length > MAX_HEADER_LENGTH) {
    throw malformed(`longer than ${MAX_HEADER_LENGTH} characters`)
  }
  let t: string | undefined
  const signatures: Uint8Array[] = []
  for (const rawElement of header.split(',')) {
    const element = trimSpaceAndTab(rawElement)
    const eq = element.indexOf('=')
    if (eq <= 0) throw malformed('every element must be key=value')
    const key = element.slice(0, eq)
    const value = element.slice(eq + 1)
    if (key === 't') {
      if (t !== undefined) throw malformed('more than one t')
      if (!TIMESTAMP.test(value)) throw malformed('t must be 1 to 15 ASCII digits')
      t = value
    } else if (key === 'v1') {
      if (!HEX64.test(value)) throw malformed('v1 must be 64 hex digits')
      if (signatures.length === MAX_SIGNATURES) {
        throw malformed(`more than ${MAX_SIGNATURES} v1 signatures`)
      }
      signatures.push(hexToBytes(value))
    }
    // Any other key is a later scheme's: ignored.
  }
  if (t === undefined) throw malformed('no t')
  if (signatures.length === 0) throw malformed('no v1')
  return { t, timestamp: Number(t), signatures }
}
