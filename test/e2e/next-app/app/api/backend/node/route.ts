// Says which HMAC backend the package resolved to on this runtime.
import { HMAC_BACKEND } from '@tragentics/webhooks'

export const runtime = 'nodejs'

export function GET(): Response {
  return Response.json({ backend: HMAC_BACKEND })
}
