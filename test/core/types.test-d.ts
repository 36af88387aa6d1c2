import type { IncomingHttpHeaders } from 'node:http'
import { describe, expectTypeOf, it } from 'vitest'
import {
  createVerifier,
  isWebhookVerificationError,
  sign,
  SIGNATURE_HEADER,
  verify,
  verifyEvent,
  WebhookVerificationError,
  type ReplayStore,
  type SignatureHeaderInput,
  type VerifiedEvent,
  type Verifier,
  type VerifyResult,
  type WebhookErrorCode,
} from '../../src/index.js'

describe('public types', () => {
  it('sign returns the header value', () => {
    expectTypeOf(sign).parameter(0).toEqualTypeOf<string | Uint8Array | ArrayBuffer>()
    expectTypeOf(sign).returns.toEqualTypeOf<Promise<string>>()
    expectTypeOf<typeof SIGNATURE_HEADER>().toEqualTypeOf<'x-tragentics-signature'>()
  })

  it('verify takes bytes or a string, any headers object, one or several secrets', () => {
    expectTypeOf(verify).returns.toEqualTypeOf<Promise<VerifyResult>>()
    expectTypeOf<VerifyResult>().toEqualTypeOf<{ timestamp: number; secretIndex: number; replayStoreError?: WebhookVerificationError }>()
    expectTypeOf<Headers>().toExtend<SignatureHeaderInput>()
    expectTypeOf<IncomingHttpHeaders>().toExtend<SignatureHeaderInput>()
    expectTypeOf<Record<string, string>>().toExtend<SignatureHeaderInput>()
    expectTypeOf<null>().toExtend<SignatureHeaderInput>()
    expectTypeOf(verify).parameter(2).toEqualTypeOf<string | Uint8Array | readonly (string | Uint8Array)[]>()
    // @ts-expect-error a parsed body is refused at compile time too
    void verify({ type: 'agent.registered' }, '', 'whsec_x')
    // @ts-expect-error a number is no tolerance option
    void verify('', '', 'whsec_x', { tolerance: '300' })
  })

  it('verifyEvent is typed by its generic', () => {
    expectTypeOf(verifyEvent<{ type: 'agent.registered' }>).returns.toEqualTypeOf<Promise<VerifiedEvent<{ type: 'agent.registered' }>>>()
    expectTypeOf<VerifiedEvent<{ id: string }>['event']>().toEqualTypeOf<{ id: string }>()
    expectTypeOf(verifyEvent).returns.toEqualTypeOf<Promise<VerifiedEvent>>()
    expectTypeOf<VerifiedEvent['event']>().toEqualTypeOf<unknown>()
  })

  it('createVerifier wants secret or secrets, not both', () => {
    expectTypeOf(createVerifier({ secret: 'whsec_x' })).toEqualTypeOf<Verifier>()
    expectTypeOf(createVerifier({ secrets: ['a', new Uint8Array(1)], tolerance: 60, now: () => 0 })).toEqualTypeOf<Verifier>()
    // @ts-expect-error secret and secrets at once
    createVerifier({ secret: 'a', secrets: ['b'] })
    // @ts-expect-error neither secret nor secrets
    createVerifier({ tolerance: 60 })
    const store: ReplayStore = { claim: () => Promise.resolve(true) }
    createVerifier({ secret: 'a', replayStore: store })
    expectTypeOf<Verifier['verifyEvent']>().returns.toEqualTypeOf<Promise<VerifiedEvent>>()
  })

  it('errors carry a code union that a switch can exhaust', () => {
    const err = new WebhookVerificationError('signature_mismatch')
    expectTypeOf(err.code).toEqualTypeOf<WebhookErrorCode>()
    expectTypeOf(err.status).toEqualTypeOf<number>()
    const unknownValue: unknown = err
    if (isWebhookVerificationError(unknownValue)) expectTypeOf(unknownValue).toEqualTypeOf<WebhookVerificationError>()
    const exhaustive = (code: WebhookErrorCode): number => {
      switch (code) {
        case 'missing_signature':
        case 'malformed_signature':
        case 'signature_mismatch':
        case 'timestamp_out_of_tolerance':
        case 'replayed_signature':
          return 401
        case 'invalid_json':
        case 'body_incomplete':
          return 400
        case 'body_too_large':
          return 413
        case 'body_unavailable':
          return 500
        case 'replay_store_unavailable':
          return 503
      }
    }
    expectTypeOf(exhaustive).returns.toBeNumber()
  })
})
