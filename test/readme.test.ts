import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
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
const files = blocks('ts').map((code, i) => {
  const file = join(dir, `block-${i}.ts`)
  writeFileSync(file, code.includes('export ') || code.includes('import ') ? code : `${code}\nexport {}\n`)
  return file
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

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
        const module = (await import(/* @vite-ignore */ file)) as { POST?: (request: Request) => Promise<Response> }
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
      expect(log.mock.calls).toContainEqual(['signed with the new secret'])
      expect(log.mock.calls).toContainEqual([401, 'malformed_signature'])
    } finally {
      log.mockRestore()
      vi.unstubAllEnvs()
    }
  })

  it('the openssl one-liner computes the v1 of a vector', () => {
    const oneLiner = blocks('sh').map((b) => b.trim()).find((b) => b.includes('openssl dgst'))
    expect(oneLiner).toBeDefined()
    const v = vectors.find((c) => c.name === 'basic')
    if (!v?.header || !v.secret) throw new Error('the basic vector is missing')
    const t = /t=(\d+)/.exec(v.header)?.[1] ?? ''
    const out = execFileSync('sh', ['-c', oneLiner ?? ''], { env: { PATH: process.env.PATH, t, body: vectorBody(v).toString(), secret: v.secret }, encoding: 'utf8' })
    expect(out).toContain(/v1=([0-9a-f]{64})/.exec(v.header)?.[1])
  })
})
