import { describe, expect, it } from 'vitest'
import {
  createVerifier,
  HMAC_BACKEND,
  sign,
  verify,
  WEBHOOK_ERRORS,
  WebhookVerificationError,
  type VerifyResult,
} from '../../src/index.js'
import { vectorBody, vectors, vectorSecrets, type Vector } from '../vectors.js'

type Run = (v: Vector, payload: string | Uint8Array) => Promise<VerifyResult>

const runs: Record<string, Run> = {
  verify: (v, payload) => verify(payload, v.header, vectorSecrets(v), { now: v.now, tolerance: v.tolerance }),
  'createVerifier().verify': (v, payload) =>
    createVerifier({ secrets: vectorSecrets(v), now: v.now, tolerance: v.tolerance }).verify(payload, v.header),
}

describe(`the shared vectors on the ${HMAC_BACKEND} backend`, () => {
  it('runs on the backend this project was configured for', () => {
    expect(HMAC_BACKEND).toBe(process.env.TRAGENTICS_BACKEND)
  })

  it('has all 33 cases', () => {
    expect(vectors).toHaveLength(33)
  })

  describe.each(Object.entries(runs))('%s', (_, run) => {
    it.each(vectors.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
      const payloads: (string | Uint8Array)[] = [vectorBody(v)]
      if (v.body !== undefined) payloads.push(v.body)
      for (const payload of payloads) {
        if (v.expect === 'valid') {
          const result = await run(v, payload)
          expect(result.timestamp).toBe(Number(/t=(\d+)/.exec(v.header ?? '')?.[1]))
        } else {
          const error = await run(v, payload).then(
            () => expect.fail(`accepted a delivery that must be refused with ${v.expect}`),
            (err: unknown) => err,
          )
          expect(error).toBeInstanceOf(WebhookVerificationError)
          expect(error).toMatchObject({ code: v.expect, status: WEBHOOK_ERRORS[v.expect].status })
          expect((error as Error).message.startsWith(WEBHOOK_ERRORS[v.expect].message)).toBe(true)
        }
      }
    })
  })

  const signable = vectors.filter((v) => v.expect === 'valid' && v.secrets === undefined)
  it.each(signable.map((v) => [v.name, v] as const))('sign() reproduces a signature of %s', async (_name, v) => {
    const t = Number(/t=(\d+)/.exec(v.header ?? '')?.[1])
    const header = await sign(vectorBody(v), vectorSecrets(v), { timestamp: t })
    const sent = (v.header ?? '').toLowerCase().replace(/[ \t]/g, '')
    const ours = /v1=([0-9a-f]{64})/.exec(header)?.[1]
    expect(ours).toBeDefined()
    expect(sent).toContain(`v1=${ours ?? ''}`)
    expect(header).toBe(`t=${t},v1=${ours ?? ''}`)
  })
})
