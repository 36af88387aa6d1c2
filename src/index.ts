import { backend } from '#hmac'

export { SIGNATURE_HEADER } from './header.js'
export type { HeadersLike, HeadersRecord, SignatureHeaderInput } from './header.js'
export { WebhookVerificationError, isWebhookVerificationError, WEBHOOK_ERRORS } from './errors.js'
export type { WebhookErrorCode } from './errors.js'
export { DEFAULT_TOLERANCE } from './input.js'
export type { Payload, Secret, Clock } from './input.js'
export { sign } from './sign.js'
export type { SignOptions } from './sign.js'
export { verify, verifyEvent, createVerifier } from './verify.js'
export type { ReplayStore, VerifyOptions, VerifyResult, VerifiedEvent, Verifier, VerifierOptions } from './verify.js'
export { MemoryReplayStore } from './memory-replay-store.js'
export type { MemoryReplayStoreOptions } from './memory-replay-store.js'

/** Which HMAC backend this build uses: `'node:crypto'` on Node, Bun and Deno, `'webcrypto'` on edge runtimes and Workers. */
export const HMAC_BACKEND: 'node:crypto' | 'webcrypto' = backend.name
