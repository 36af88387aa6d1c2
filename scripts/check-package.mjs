// Packs the package as npm would publish it, installs the tarball into a
// fresh project, and imports it the ways users do: ESM, CJS, TypeScript
// (node16 and bundler resolution), and the web build through the `worker`
// condition. Exits non-zero on the first difference.
import { execFileSync } from 'node:child_process'
import { createHmac } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' })

// The web build must never import node:* (an edge bundle would break on it).
for (const file of readdirSync(join(root, 'dist/web'))) {
  if (!/\.c?js$/.test(file)) continue
  const code = readFileSync(join(root, 'dist/web', file), 'utf8')
  if (/(from\s*|import\s*\(|require\s*\()\s*["']node:/.test(code)) {
    throw new Error(`dist/web/${file} imports a node: module`)
  }
}

const work = mkdtempSync(join(tmpdir(), 'tragentics-webhooks-pack-'))
try {
  const tarball = join(work, run('npm', ['pack', '--silent', '--pack-destination', work], root).trim().split('\n').pop())
  const app = join(work, 'app')
  run('mkdir', ['-p', app])
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'smoke', private: true, type: 'module' }))
  run('npm', ['install', '--silent', '--no-audit', '--no-fund', '--ignore-scripts', tarball], app)

  const secret = 'whsec_smoke'
  const body = '{"type":"agent.registered"}'
  const check = (label, expectBackend) => `
    const header = await api.sign(${JSON.stringify(body)}, ${JSON.stringify(secret)}, { timestamp: 1733212800 })
    const result = await api.verifyEvent(${JSON.stringify(body)}, { 'X-Tragentics-Signature': header }, ${JSON.stringify(secret)}, { now: 1733212800 })
    if (result.event.type !== 'agent.registered' || result.timestamp !== 1733212800) throw new Error('round trip failed')
    const refused = await api.verify('{}', header, ${JSON.stringify(secret)}, { now: 1733212800 }).catch((e) => e)
    if (!api.isWebhookVerificationError(refused) || refused.code !== 'signature_mismatch') throw new Error('tampered body not refused')
    if (api.HMAC_BACKEND !== '${expectBackend}') throw new Error('backend ' + api.HMAC_BACKEND + ', expected ${expectBackend}')
    console.log('${label}: ok (' + api.HMAC_BACKEND + ')')`

  writeFileSync(join(app, 'esm.mjs'), `import * as api from '@tragentics/webhooks'\n${check('esm', 'node:crypto')}`)
  writeFileSync(join(app, 'cjs.cjs'), `const api = require('@tragentics/webhooks');\n(async () => {${check('cjs', 'node:crypto')}\n})().catch((e) => { console.error(e); process.exit(1) })`)
  writeFileSync(join(app, 'worker.mjs'), `import * as api from '@tragentics/webhooks'\n${check('worker condition', 'webcrypto')}`)
  const pkg = JSON.parse(readFileSync(join(app, 'node_modules/@tragentics/webhooks/package.json'), 'utf8'))
  if (pkg.version !== JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) throw new Error('wrong package installed')

  // The Express middleware on a bare Node server (it imports no express at run time),
  // from ESM and CJS: one error class shared by the subpaths, a genuine and a forged delivery.
  const adapterCheck = (label) => `
    const server = http.createServer((req, res) => {
      middleware(req, res, () => { res.statusCode = 204; res.end() })
    })
    let sameClass = false
    const middleware = adapter.verifyWebhook({ secret: 'whsec_smoke', onError: (err, req, res) => {
      sameClass = err instanceof api.WebhookVerificationError
      res.statusCode = err.status; res.end(err.code)
    } })
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    const url = 'http://127.0.0.1:' + server.address().port + '/'
    const body = '{"type":"agent.registered"}'
    const ok = await fetch(url, { method: 'POST', body, headers: { 'x-tragentics-signature': await api.sign(body, 'whsec_smoke') } })
    const forged = await fetch(url, { method: 'POST', body, headers: { 'x-tragentics-signature': await api.sign(body, 'whsec_other') } })
    server.close()
    if (ok.status !== 204 || forged.status !== 401 || !sameClass) throw new Error('express adapter: ' + ok.status + ' ' + forged.status + ' ' + sameClass)
    if (typeof koa.verifyWebhook !== 'function') throw new Error('koa adapter missing')
    console.log('${label} adapters: ok')`
  writeFileSync(join(app, 'adapters.mjs'), `import http from 'node:http'\nimport * as api from '@tragentics/webhooks'\nimport * as adapter from '@tragentics/webhooks/express'\nimport * as koa from '@tragentics/webhooks/koa'\n${adapterCheck('esm')}`)
  writeFileSync(join(app, 'adapters.cjs'), `const http = require('node:http'); const api = require('@tragentics/webhooks'); const adapter = require('@tragentics/webhooks/express'); const koa = require('@tragentics/webhooks/koa');\n(async () => {${adapterCheck('cjs')}\n})().catch((e) => { console.error(e); process.exit(1) })`)

  // The testing helpers on both builds, and the CLI through the bin npm linked.
  const testingCheck = (label) => `
    const { body, headers } = await testing.signPayload({ type: 'agent.registered' }, 'whsec_smoke', { timestamp: 1733212800 })
    const { timestamp } = await api.verify(body, headers, 'whsec_smoke', { now: 1733212800 })
    const request = await testing.signedRequest('http://127.0.0.1/', { a: 1 }, 'whsec_smoke')
    await api.verify(await request.text(), request.headers, 'whsec_smoke')
    if (timestamp !== 1733212800 || typeof testing.webhookTestClock()() !== 'number') throw new Error('testing helpers')
    const POST = next.withWebhook({ secret: 'whsec_smoke' }, (event) => Response.json(event))
    const answer = await POST(await testing.signedRequest('http://127.0.0.1/', { a: 1 }, 'whsec_smoke'))
    if (answer.status !== 200) throw new Error('withWebhook answered ' + answer.status)
    const pagesRouter = (() => { try { next.withWebhookApiRoute({ secret: 'whsec_smoke' }, () => undefined); return true } catch { return false } })()
    if (pagesRouter !== (api.HMAC_BACKEND === 'node:crypto')) throw new Error('withWebhookApiRoute on the wrong build')
    console.log('${label} testing and next: ok (' + api.HMAC_BACKEND + ')')`
  writeFileSync(join(app, 'testing.mjs'), `import * as api from '@tragentics/webhooks'\nimport * as testing from '@tragentics/webhooks/testing'\nimport * as next from '@tragentics/webhooks/next'\n${testingCheck('esm')}`)
  writeFileSync(join(app, 'testing.cjs'), `const api = require('@tragentics/webhooks'); const testing = require('@tragentics/webhooks/testing'); const next = require('@tragentics/webhooks/next');\n(async () => {${testingCheck('cjs')}\n})().catch((e) => { console.error(e); process.exit(1) })`)
  console.log(run('node', ['testing.mjs'], app).trim())
  console.log(run('node', ['testing.cjs'], app).trim())
  console.log(run('node', ['--conditions=worker', 'testing.mjs'], app).trim())
  const header = run(join(app, 'node_modules/.bin/tragentics-webhooks'), ['sign', '--secret', 'whsec_smoke', '--timestamp', '1733212800', '--data', body], app).trim()
  const expected = `t=1733212800,v1=${createHmac('sha256', 'whsec_smoke').update(`1733212800.${body}`).digest('hex')}`
  if (header !== expected) throw new Error(`the CLI printed ${header}, expected ${expected}`)
  console.log('cli: ok')

  console.log(run('node', ['esm.mjs'], app).trim())
  console.log(run('node', ['adapters.mjs'], app).trim())
  console.log(run('node', ['adapters.cjs'], app).trim())
  console.log(run('node', ['cjs.cjs'], app).trim())
  console.log(run('node', ['--conditions=worker', 'worker.mjs'], app).trim())

  // TypeScript, as users compile against the published types.
  const ts = `import { createVerifier, sign, verifyEvent, isWebhookVerificationError, type WebhookErrorCode, type VerifiedEvent } from '@tragentics/webhooks'
const verifier = createVerifier({ secret: 'whsec_x' })
const code: WebhookErrorCode = 'signature_mismatch'
async function main(): Promise<void> {
  const header: string = await sign('{}', 'whsec_x', { timestamp: 1 })
  const result: VerifiedEvent<{ a: number }> = await verifyEvent<{ a: number }>('{"a":1}', header, 'whsec_x', { now: 1 }).catch(() => ({ event: { a: 1 }, timestamp: 1, secretIndex: 0 }))
  const n: number = result.event.a
  await verifier.verify('{}', header).catch((e: unknown) => isWebhookVerificationError(e) && e.code === code)
  void n
}
void main()
`
  writeFileSync(join(app, 'index.ts'), ts)
  const tsc = join(root, 'node_modules/typescript/bin/tsc')
  for (const [module, moduleResolution] of [['node16', 'node16'], ['esnext', 'bundler'], ['commonjs', 'node10']]) {
    const cfg = { compilerOptions: { strict: true, noEmit: true, module, moduleResolution, target: 'es2022', types: [], lib: ['es2022', 'dom'], skipLibCheck: false }, files: ['index.ts'] }
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(cfg))
    run('node', [tsc, '-p', '.'], app)
    console.log(`typescript (${moduleResolution}): ok`)
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
