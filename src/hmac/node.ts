import { isUtf8 } from 'node:buffer'
import * as crypto from 'node:crypto'
import type { HmacBackend } from './types.js'

const { createHmac, createHash, timingSafeEqual } = crypto

/** The key as createHmac takes it, and its two padded blocks of RFC 2104 for the one-shot path. */
export interface NodeKey {
  readonly secret: Buffer
  readonly innerPad: Buffer
  readonly outerPad: Buffer
}

const BLOCK = 64

/**
 * `crypto.hash` (Node 20.12+, 21.7+): a one-shot SHA-256 with its digest
 * fetched once per process. Absent on older Node, so looked up, not imported.
 */
const oneShotHash = (crypto as Partial<Pick<typeof crypto, 'hash'>>).hash

/**
 * Where small deliveries are hashed in one shot. createHmac costs about
 * 1.4 µs before it hashes a byte (OpenSSL 3 sets up three digests for it),
 * more than SHA-256 of a 1 KiB body; two one-shot hashes over this buffer
 * cost a quarter less up to 16 KiB. Reused by every call: nothing awaits
 * between writing and hashing it, so no two calls share it at once.
 */
const SCRATCH_SIZE = 16 * 1024
let scratch: Buffer | undefined

function pad(secret: Buffer, byte: number): Buffer {
  // A key longer than a block is hashed first (RFC 2104 section 2).
  const key = secret.length > BLOCK ? createHash('sha256').update(secret).digest() : secret
  const out = Buffer.alloc(BLOCK, byte)
  for (let i = 0; i < key.length; i++) out[i] = (key[i] as number) ^ byte
  return out
}

/** HMAC-SHA256(key, prefix ‖ body) as H(outer pad ‖ H(inner pad ‖ prefix ‖ body)), when it fits the scratch buffer. */
function oneShot(hash: NonNullable<typeof oneShotHash>, key: NodeKey, prefix: string, body: Uint8Array): string | undefined {
  const length = BLOCK + prefix.length + body.length
  if (length > SCRATCH_SIZE) return undefined
  const buffer = (scratch ??= Buffer.allocUnsafeSlow(SCRATCH_SIZE))
  buffer.set(key.innerPad, 0)
  buffer.write(prefix, BLOCK, 'latin1')
  buffer.set(body, BLOCK + prefix.length)
  const inner = hash('sha256', buffer.subarray(0, length), 'binary')
  buffer.set(key.outerPad, 0)
  buffer.write(inner, BLOCK, 'latin1')
  const digest = hash('sha256', buffer.subarray(0, BLOCK + 32), 'binary')
  buffer.fill(0, 0, BLOCK + 32) // no key-derived bytes left behind, as OpenSSL cleanses its HMAC contexts
  return digest
}

export const backend: HmacBackend<NodeKey> = {
  name: 'node:crypto',
  // A string secret is encoded once here, not by createHmac on every request.
  importKey(secret) {
    const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret)
    return { secret: bytes, innerPad: pad(bytes, 0x36), outerPad: pad(bytes, 0x5c) }
  },
  // A large body is streamed into createHmac behind the prefix, never
  // copied. The digest comes out as a latin1 string copied into Buffer's
  // pool: cheaper than the Buffer digest() makes, which has a memory of its
  // own. ('binary' is Node's other name for latin1.)
  digest(key, prefix, body) {
    const small = oneShotHash && typeof body !== 'string' ? oneShot(oneShotHash, key, prefix, body) : undefined
    const digest =
      small ??
      (typeof body === 'string'
        ? createHmac('sha256', key.secret).update(prefix, 'latin1').update(body, 'utf8')
        : createHmac('sha256', key.secret).update(prefix, 'latin1').update(body)
      ).digest('binary')
    return Buffer.from(digest, 'latin1')
  },
  // A slice of Buffer's pool, not a small Uint8Array: V8 keeps those inside
  // the JS heap, and timingSafeEqual must move them out first.
  alloc: (size) => Buffer.allocUnsafe(size),
  equal: (a, b) => a.length === b.length && timingSafeEqual(a, b),
  // simdutf's check and Buffer's decoder: faster than a fatal TextDecoder on Node.
  text(bytes) {
    if (!isUtf8(bytes)) throw new TypeError('the body is not valid UTF-8')
    const text = (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8')
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  },
}
