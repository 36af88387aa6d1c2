import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { sign } from '@tragentics/webhooks'
import { typeCheck } from './typescript.js'
import { vectorBody, vectors } from './vectors.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const blocks = (lang: string) => [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '')

const dir = join(root, 'test/.readme')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
// Snippets that are real files of their own run there, and a test below
// keeps the README's copies identical: the testing example (a vitest file)
// and the Next.js routes (built by next build and served in test/e2e).
const fileBacked = [
  'examples/express/webhooks.test.ts',
  'test/e2e/next-app/app/api/webhooks/node/route.ts',
  'test/e2e/next-app/app/api/webhooks/edge/route.ts',
  'test/e2e/next-app/pages/api/webhooks.ts',
].map((path) => ({ path, code: readFileSync(join(root, path), 'utf8') }))
const files = blocks('ts').filter((code) => !fileBacked.some((f) => f.code === code)).map((code, i) => {
  const file = join(dir, `block-${i}.ts`)
  writeFileSync(file, code.includes('export ') || code.includes('import ') ? code : `${code}\nexport {}\n`)
  return file
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

/** Serves an app exported by a snippet on 127.0.0.1 and checks it accepts a genuine delivery and refuses a forged one. */
async function deliverTo(app: unknown): Promise<void> {
  const koa = app as { callback?: () => RequestListener }
  const listener = typeof koa.callback === 'function' ? koa.callback() : (app as RequestListener)
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  try {
    const { port } = server.address() as AddressInfo
    const body = '{"type":"agent.registered"}'
    const send = async (key: string) =>
      fetch(`http://127.0.0.1:${port}/webhooks`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-tragentics-signature': await sign(body, key) } })
    const ok = await send('whsec_readme')
    expect(ok.status).toBeLessThan(300)
    const forged = await send('whsec_forged')
    expect(forged.status).toBe(401)
    expect(forged.headers.get('content-type')).toBe('application/json')
    expect(await forged.json()).toEqual({ error: 'No signature matches the payload' })
  } finally {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
}

describe('README', () => {
  it('has TypeScript snippets to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(4)
  })

  it('every TypeScript snippet type-checks against the package', () => {
    const diagnostics = typeCheck(files)
    expect(diagnostics).toEqual([])
  }, 60_000)

  it('every TypeScript snippet runs', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined)
    vi.stubEnv('TRAGENTICS_WEBHOOK_SECRET', 'whsec_readme')
    try {
      for (const file of files) {
        const module = (await import(/* @vite-ignore */ file)) as { POST?: (request: Request) => Promise<Response>; app?: unknown }
        if (module.app) await deliverTo(module.app)
        if (module.POST) {
          const body = '{"type":"agent.registered"}'
          const ok = await module.POST(new Request('http://127.0.0.1/', { method: 'POST', body, headers: { 'x-tragentics-signature': await sign(body, 'whsec_readme') } }))
          expect(ok.status).toBe(204)
          const forged = await module.POST(new Request('http://127.0.0.1/', { method: 'POST', body, headers: { 'x-tragentics-signature': await sign(body, 'whsec_forged') } }))
          expect(forged.status).toBe(401)
          expect(forged.headers.get('content-type')).toMatch(/^application\/json/)
          expect(await forged.json()).toEqual({ error: 'No signature matches the payload' })
        }
      }
      expect(log.mock.calls).toContainEqual(['received', 'agent.registered'])
      expect(log.mock.calls.filter((c) => c[0] === 'received' && typeof c[1] === 'object')).toHaveLength(2) // Express and Koa
      expect(log.mock.calls).toContainEqual(['signed with the new secret'])
      expect(log.mock.calls).toContainEqual([401, 'malformed_signature'])
    } finally {
      log.mockRestore()
      vi.unstubAllEnvs()
    }
  })

  it('has a runnable quick start for Express and for Koa', () => {
    expect(readme).toMatch(/```ts\nimport express from 'express'\nimport \{ verifyWebhook \} from '@tragentics\/webhooks\/express'/)
    expect(readme).toMatch(/```ts\nimport Koa from 'koa'/)
  })

  it.each(fileBacked.map((f) => [f.path, f.code] as const))('shows %s exactly as it is', (_path, code) => {
    expect(blocks('ts')).toContain(code)
  })

  it('shows the benchmark section exactly as bench/readme-table.mjs makes it from bench/results.json', async () => {
    const { withBenchSection } = (await import('../bench/readme-table.mjs')) as { withBenchSection: (readme: string, results: unknown) => string }
    const results: unknown = JSON.parse(readFileSync(join(root, 'bench/results.json'), 'utf8'))
    expect(readme).toBe(withBenchSection(readme, results))
  })

  it('the openssl one-liner computes the v1 of a vector', () => {
    const oneLiner = blocks('sh').map((b) => b.trim()).find((b) => b.includes('openssl dgst'))
    expect(oneLiner).toBeDefined()
    const v = vectors.find((c) => c.name === 'basic')
    if (!v?.header || !v.secret) throw new Error('the basic vector is missing')
    const t = /t=(\d+)/.exec(v.header)?.[1] ?? ''
    const out = execFileSync('sh', ['-c', oneLiner ?? ''], { env: { PATH: process.env.PATH, NODE_ENV: 'test', t, body: vectorBody(v).toString(), secret: v.secret }, encoding: 'utf8' })
    expect(out).toContain(/v1=([0-9a-f]{64})/.exec(v.header)?.[1])
  })
})
