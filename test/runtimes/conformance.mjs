// The runtime conformance suite: plain JavaScript, no test framework, no
// node: imports, so that it runs unchanged on Node, Bun, Deno, workerd and
// Vercel's edge runtime. Every vector goes through verify, createVerifier,
// verifyEvent, a sign round trip and the Fetch withWebhook wrapper with real
// Request objects. Each runtime's results must equal Node 20's exactly.
export async function conformance({ api, next, vectors }) {
  const codeOfMessage = Object.fromEntries(Object.entries(api.WEBHOOK_ERRORS).map(([code, { message }]) => [message, code]))
  const outcome = (promise) =>
    promise.then(
      () => 'valid',
      (err) => (api.isWebhookVerificationError(err) ? err.code : `threw ${err && err.name}: ${err && err.message}`),
    )
  const results = []
  for (const v of vectors) {
    const body = v.body_base64 !== undefined ? Uint8Array.from(atob(v.body_base64), (c) => c.charCodeAt(0)) : new TextEncoder().encode(v.body ?? '')
    const secrets = v.secrets ?? [v.secret]
    const options = { now: v.now, tolerance: v.tolerance }
    let json = true
    try {
      JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
    } catch {
      json = false
    }
    const r = { name: v.name, expect: v.expect, expectEvent: v.expect === 'valid' && !json ? 'invalid_json' : v.expect }
    r.verify = await outcome(api.verify(body, v.header, secrets, options))
    r.verifier = await outcome(api.createVerifier({ secrets, ...options }).verify(body, v.header))
    r.verifyEvent = await outcome(api.verifyEvent(body, v.header, secrets, options))
    const signed = await api.sign(body, secrets[0], { timestamp: v.now })
    r.sign = await outcome(api.verify(body, signed, secrets, options))
    const POST = next.withWebhook({ secrets, ...options, parse: 'none' }, () => new Response(null, { status: 204 }))
    const headers = v.header === null ? {} : { 'x-tragentics-signature': v.header }
    const response = await POST(new Request('http://127.0.0.1/webhooks', { method: 'POST', body, headers }))
    r.withWebhook = response.status === 204 ? 'valid' : (codeOfMessage[(await response.json()).error] ?? `status ${response.status}`)
    results.push(r)
  }
  const failures = results.filter((r) => r.verify !== r.expect || r.verifier !== r.expect || r.withWebhook !== r.expect || r.verifyEvent !== r.expectEvent || r.sign !== 'valid')
  return { backend: api.HMAC_BACKEND, cases: results.length, failures: failures.map((f) => f.name), results }
}
