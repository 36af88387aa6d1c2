import type { HmacBackend } from './types.js'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })
const ALGORITHM = { name: 'HMAC', hash: 'SHA-256' } as const

function subtle(): SubtleCrypto {
  // Typed as always present, but absent on old runtimes and insecure contexts.
  const s = (globalThis as { crypto?: Partial<Crypto> }).crypto?.subtle
  if (!s) throw new Error('@tragentics/webhooks needs WebCrypto (globalThis.crypto.subtle) on this runtime')
  return s
}

export const backend: HmacBackend<CryptoKey> = {
  name: 'webcrypto',
  importKey: (secret) => subtle().importKey('raw', typeof secret === 'string' ? encoder.encode(secret) : (secret as Uint8Array<ArrayBuffer>), ALGORITHM, false, ['sign']),
  digest(key, prefix, body) {
    // WebCrypto has no streaming HMAC: the signed content is one buffer,
    // the prefix written in front of the body. Not an async function: every
    // await it saves is a turn of the microtask queue on each request.
    const bodyBytes = typeof body === 'string' ? encoder.encode(body) : body
    const content = new Uint8Array(prefix.length + bodyBytes.length)
    for (let i = 0; i < prefix.length; i++) content[i] = prefix.charCodeAt(i)
    content.set(bodyBytes, prefix.length)
    return subtle().sign('HMAC', key, content)
  },
  alloc: (size) => new Uint8Array(size),
  equal(a, b) {
    if (a.length !== b.length) return false
    // Constant time: every byte is visited, differences are OR-ed together,
    // and nothing branches on the data.
    let diff = 0
    for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number)
    return diff === 0
  },
  text: (bytes) => decoder.decode(bytes),
}
