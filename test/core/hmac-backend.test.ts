import { createHmac, randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { backend } from '#hmac'
import type { HmacBackend } from '../../src/hmac/types.js'

// What each backend computes, byte for byte against node:crypto's own
// createHmac, on the edges of the node backend's paths: the one-shot path
// (a body that fits its 16 KiB scratch buffer) and the streaming one (a
// larger body, a string body, a Node without crypto.hash).

const reference = (secret: string | Uint8Array, prefix: string, body: string | Uint8Array) =>
  createHmac('sha256', secret).update(prefix).update(body).digest('hex')

async function digestHex(b: HmacBackend, secret: string | Uint8Array, prefix: string, body: string | Uint8Array): Promise<string> {
  const bytes = await b.digest(await b.importKey(secret), prefix, body)
  return Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString('hex')
}

const BLOCK = 64
const SCRATCH = 16 * 1024
const secrets: [string, string | Uint8Array][] = [
  ['a 1-byte secret', 'k'],
  ['a whsec_ secret', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
  ['a 63-byte secret', 'x'.repeat(63)],
  ['a 64-byte secret (one block)', 'x'.repeat(64)],
  ['a 65-byte secret (hashed first)', 'x'.repeat(65)],
  ['a 200-byte binary secret', randomBytes(200)],
  ['a multibyte string secret of 66 UTF-8 bytes', 'é'.repeat(33)],
]
const prefix = '1733212800.'
const fits = SCRATCH - BLOCK - prefix.length
const sizes = [0, 1, 1024, fits - 1, fits, fits + 1, 64 * 1024, 1024 * 1024 + 3]

function check(b: HmacBackend) {
  it.each(secrets)('%s, at every body size', async (_name, secret) => {
    for (const size of sizes) {
      const body = randomBytes(size)
      expect(await digestHex(b, secret, prefix, body), `${size} bytes`).toBe(reference(secret, prefix, body))
    }
  })

  it('hashes a view at an offset, not the whole buffer behind it', async () => {
    const whole = randomBytes(4096)
    const view = whole.subarray(100, 1100)
    expect(await digestHex(b, 'k', prefix, view)).toBe(reference('k', prefix, view))
  })

  it('leaves nothing of a longer body behind for a shorter one', async () => {
    const long = Buffer.alloc(8000, 0x61)
    const short = Buffer.from('{"id":"evt_1"}')
    await digestHex(b, 'k', prefix, long)
    expect(await digestHex(b, 'k', '1.', short)).toBe(reference('k', '1.', short))
  })

  it('signs every timestamp length from 1 to 15 digits', async () => {
    const body = Buffer.from('{"id":"evt_1"}')
    for (let digits = 1; digits <= 15; digits++) {
      const t = `${'9'.repeat(digits)}.`
      expect(await digestHex(b, 'k', t, body)).toBe(reference('k', t, body))
    }
  })

  it('reads a string body as UTF-8, a lone surrogate as U+FFFD', async () => {
    for (const body of ['{"name":"Zoë 🦊"}', 'x'.repeat(20_000), 'a\ud800b']) {
      expect(await digestHex(b, 'k', prefix, body)).toBe(reference('k', prefix, body))
    }
  })
}

describe(`the ${backend.name} backend against createHmac`, () => {
  check(backend)
})

// Registered on the node:crypto project only (the web one has no node backend to reload).
if (backend.name === 'node:crypto') describe('the node:crypto backend on a Node without crypto.hash (before 20.12)', async () => {
  vi.resetModules()
  vi.doMock('node:crypto', async (original) => ({ ...(await original<typeof import('node:crypto')>()), hash: undefined }))
  const { backend: streaming } = await import('../../src/hmac/node.js')
  const mocked = await import('node:crypto')
  vi.doUnmock('node:crypto')
  it('is given a node:crypto without hash', () => {
    expect(mocked.hash).toBeUndefined()
  })
  check(streaming)
})
