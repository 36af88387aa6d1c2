// End to end: the Next.js app in test/e2e/next-app, built with `next build`
// against the packed tarball and served by `next start` on 127.0.0.1.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sign } from '@tragentics/webhooks'
import { signPayload } from '@tragentics/webhooks/testing'
import { installTarball } from '../../scripts/install-tarball.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const appDir = join(root, 'test/e2e/next-app')
const nextBin = join(root, 'node_modules/next/dist/bin/next')
const secret = 'whsec_e2e_next_MfKQ9r8GKYqr'
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', TRAGENTICS_WEBHOOK_SECRET: secret }

let server: ChildProcess | undefined
let serverOutput = ''
let base = ''

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

function stopServer(): void {
  if (server?.pid !== undefined && server.exitCode === null) {
    try {
      process.kill(-server.pid, 'SIGKILL') // the whole group: next start and its workers
    } catch {
      server.kill('SIGKILL')
    }
  }
  server = undefined
}
process.once('exit', stopServer)

beforeAll(async () => {
  installTarball(appDir)
  rmSync(join(appDir, '.next'), { recursive: true, force: true })
  try {
    execFileSync(process.execPath, [nextBin, 'build'], { cwd: appDir, env, encoding: 'utf8', stdio: 'pipe' })
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string }
    throw new Error(`next build failed:\n${stdout}\n${stderr}`)
  }
  const port = await freePort()
  base = `http://127.0.0.1:${port}`
  server = spawn(process.execPath, [nextBin, 'start', '-H', '127.0.0.1', '-p', String(port)], { cwd: appDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  server.stdout?.on('data', (c: Buffer) => (serverOutput += c.toString()))
  server.stderr?.on('data', (c: Buffer) => (serverOutput += c.toString()))
  const deadline = Date.now() + 60_000
  for (;;) {
    const ready = await fetch(`${base}/api/backend/node`).then((r) => r.ok, () => false)
    if (ready) break
    if (server.exitCode !== null || Date.now() > deadline) throw new Error(`next start did not come up:\n${serverOutput}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}, 300_000)

afterAll(() => {
  stopServer()
})

const routes = [
  ['App Router, Node runtime', '/api/webhooks/node'],
  ['App Router, edge runtime', '/api/webhooks/edge'],
  ['Pages Router API route', '/api/webhooks'],
] as const

async function post(path: string, body: string | Uint8Array, headers: Record<string, string>) {
  const response = await fetch(`${base}${path}`, { method: 'POST', body: body as BodyInit, headers })
  return { status: response.status, type: response.headers.get('content-type'), body: (await response.json()) as unknown }
}

const event = { id: 'evt_e2e', type: 'agent.registered', data: { agent_id: 'agt_42' } }

describe.each(routes)('%s (%s)', (_, path) => {
  it('accepts a genuine delivery', async () => {
    const { body, headers } = await signPayload(event, secret)
    const answer = await post(path, body, headers)
    expect(answer.status).toBe(200)
    expect(answer.body).toMatchObject({ received: true })
  })

  it.each([
    ['tampered', { tamper: true }, secret, 401, 'No signature matches the payload'],
    ['forged', {}, 'whsec_someone_else', 401, 'No signature matches the payload'],
    ['stale', { timestamp: Math.floor(Date.now() / 1000) - 3600 }, secret, 401, 'Signature timestamp is outside the tolerance window'],
    ['missing its header', { omitSignature: true }, secret, 401, 'Missing X-Tragentics-Signature header'],
  ] as const)('refuses a %s delivery', async (_kind, options, key, status, error) => {
    const { body, headers } = await signPayload(event, key, options)
    const answer = await post(path, body, headers)
    expect(answer).toEqual({ status, type: 'application/json', body: { error } })
  })

  it('refuses a malformed header', async () => {
    const answer = await post(path, JSON.stringify(event), { 'content-type': 'application/json', 'x-tragentics-signature': 'Bearer tk_abc123' })
    expect(answer).toEqual({ status: 401, type: 'application/json', body: { error: 'Malformed X-Tragentics-Signature header' } })
  })

  it('refuses an oversized delivery with 413', async () => {
    const big = JSON.stringify({ ...event, pad: 'x'.repeat(2 * 1024 * 1024) })
    const answer = await post(path, big, { 'content-type': 'application/json', 'x-tragentics-signature': await sign(big, secret) })
    expect(answer).toEqual({ status: 413, type: 'application/json', body: { error: 'Request body is too large' } })
  })
})

describe('the Next.js app', () => {
  it('uses node:crypto on the Node runtime and WebCrypto on the edge runtime', async () => {
    expect(await (await fetch(`${base}/api/backend/node`)).json()).toEqual({ backend: 'node:crypto' })
    expect(await (await fetch(`${base}/api/backend/edge`)).json()).toEqual({ backend: 'webcrypto' })
  })

  it('has no node:crypto import in its edge bundle', () => {
    const files: string[] = []
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name)
        if (statSync(path).isDirectory()) walk(path)
        else if (name.endsWith('.js')) files.push(path)
      }
    }
    walk(join(appDir, '.next/server/edge'))
    expect(files.length).toBeGreaterThan(0)
    const withCrypto = files.filter((f) => /["']node:crypto["']/.test(readFileSync(f, 'utf8')))
    expect(withCrypto).toEqual([])
    expect(files.some((f) => readFileSync(f, 'utf8').includes('webcrypto'))).toBe(true)
  })

  it('answers body_unavailable on a Pages route that left bodyParser on, and logs the fix', async () => {
    const { body, headers } = await signPayload(event, secret)
    const answer = await post('/api/parsed', body, headers)
    expect(answer).toEqual({ status: 500, type: 'application/json', body: { error: 'Internal server error' } })
    expect(serverOutput).toContain('export const config = { api: { bodyParser: false } }')
    expect(serverOutput).not.toContain(secret)
  })

  it('answers body_incomplete, not a mismatch, when a proxy makes Next.js cut a body over 10 MB', async () => {
    const body = new Uint8Array(11 * 1024 * 1024).fill(97)
    const answer = await post('/api/webhooks/large', body, { 'x-tragentics-signature': await sign(body, secret) })
    expect(answer).toEqual({ status: 400, type: 'application/json', body: { error: 'Request body ended before its declared length' } })
    const fits = new Uint8Array(5 * 1024 * 1024).fill(97)
    const accepted = await post('/api/webhooks/large', fits, { 'x-tragentics-signature': await sign(fits, secret) })
    expect(accepted).toEqual({ status: 200, type: 'application/json', body: { received: fits.length } })
  })
})
