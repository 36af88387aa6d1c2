// The conformance suite as a bundle for workerd and the edge runtime: the
// package, the suite and the vectors in one module, bundled by
// scripts/test-runtimes.mjs with the worker/edge conditions.
import * as api from '@tragentics/webhooks'
import * as next from '@tragentics/webhooks/next'
import vectors from '../fixtures/vectors.json'
import { conformance } from './conformance.mjs'

export const run = () => conformance({ api, next, vectors: vectors.cases })

export default {
  async fetch() {
    return Response.json(await run())
  },
}
