import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sign, verify } from '@tragentics/webhooks'

const bin = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url))
const secret = 'whsec_cli_MfKQ9r8GKYqrTwjUPD8I'
const body = '{"id":"evt_1","type":"agent.registered"}'
const { version } = (await import('../../package.json', { with: { type: 'json' } })).default as { version: string }

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the built CLI as a user would, with its own environment and stdin. */
function cli(args: string[], { stdin, env = {} }: { stdin?: string | Buffer; env?: Record<string, string> } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env }
    const child = spawn(process.execPath, [bin, ...args], { env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    child.on('error', reject)
    child.on('close', (code) => {
      // Whatever happened, the secret never appears.
      expect(stdout + stderr).not.toContain(secret)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(stdin)
  })
}

const withSecret = { TRAGENTICS_WEBHOOK_SECRET: secret }

describe('tragentics-webhooks', () => {
  it('is built', () => {
    expect(existsSync(bin), 'run npm run build first (npm test does)').toBe(true)
  })

  describe('sign', () => {
    it('prints the header for --data, with the secret from the environment', async () => {
      const run = await cli(['sign', '--data', body, '--timestamp', '1733212800'], { env: withSecret })
      expect(run).toMatchObject({ code: 0, stderr: '' })
      expect(run.stdout).toBe(`${await sign(body, secret, { timestamp: 1733212800 })}\n`)
    })

    it('reads the body from stdin and from --file, byte for byte', async () => {
      const bytes = Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d, 0x0a, 0xff])
      const fromStdin = await cli(['sign', '--timestamp', '5'], { env: withSecret, stdin: bytes })
      const dir = mkdtempSync(join(tmpdir(), 'tw-cli-'))
      writeFileSync(join(dir, 'body.bin'), bytes)
      const fromFile = await cli(['sign', '--timestamp', '5', '--file', join(dir, 'body.bin')], { env: withSecret })
      const expected = `${await sign(bytes, secret, { timestamp: 5 })}\n`
      expect(fromStdin.stdout).toBe(expected)
      expect(fromFile.stdout).toBe(expected)
    })

    it('signs with several --secret flags, one v1 each', async () => {
      const run = await cli(['sign', '--secret', 'whsec_a', '--secret', 'whsec_b', '--data', body])
      expect(run.code).toBe(0)
      expect(run.stdout.match(/v1=/g)).toHaveLength(2)
    })
  })

  describe('verify', () => {
    it('prints valid and exits 0 for a genuine header', async () => {
      const header = await sign(body, secret)
      const run = await cli(['verify', '--header', header, '--data', body], { env: withSecret })
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^valid \(t=\d+, secret #0\)\n$/)
    })

    it('prints the code and message and exits 1 for a refused one', async () => {
      const header = await sign(body, secret, { timestamp: 1733212800 })
      const tampered = await cli(['verify', '--header', header, '--now', '1733212800'], { env: withSecret, stdin: `${body} ` })
      expect(tampered).toMatchObject({ code: 1, stdout: 'signature_mismatch: No signature matches the payload\n' })
      const stale = await cli(['verify', '--header', header, '--data', body], { env: withSecret })
      expect(stale.code).toBe(1)
      expect(stale.stdout).toMatch(/^timestamp_out_of_tolerance: /)
      const wide = await cli(['verify', '--header', header, '--data', body, '--tolerance', '999999999'], { env: withSecret })
      expect(wide.code).toBe(0)
    })
  })

  describe('send', () => {
    let server: Server
    let url: string
    const received: { headers: Record<string, unknown>; body: Buffer }[] = []
    beforeAll(async () => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
          const raw = Buffer.concat(chunks)
          received.push({ headers: req.headers, body: raw })
          verify(raw, req.headers, secret).then(
            () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
            () => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"No signature matches the payload"}'),
          )
        })
      })
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
      const address = server.address()
      url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/webhooks`
    })
    afterAll(async () => {
      await new Promise((r) => server.close(r))
    })

    it('POSTs the signed body and prints the status, the body and the time taken', async () => {
      const run = await cli(['send', url, '--data', body, '-H', 'X-Request-Id: r-1'], { env: withSecret })
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(/^200 in \d+ ms\n\{"ok":true\}\n$/)
      const last = received.at(-1)
      expect(last?.body.toString()).toBe(body)
      expect(last?.headers['x-request-id']).toBe('r-1')
      expect(last?.headers['content-type']).toBe('application/json')
    })

    it('exits 1 on an answer that is not 2xx', async () => {
      const run = await cli(['send', url, '--secret', 'whsec_wrong', '--data', body])
      expect(run.code).toBe(1)
      expect(run.stdout).toMatch(/^401 in \d+ ms\n\{"error":"No signature matches the payload"\}\n$/)
    })

    it('says a refused port is refused, and exits 1', async () => {
      const closed = createServer()
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
      const address = closed.address()
      await new Promise((r) => closed.close(r))
      const run = await cli(['send', `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`, '--data', body], { env: withSecret })
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/connection refused: nothing is listening at http:\/\/127\.0\.0\.1:\d+\//)
    })
  })

  describe('usage', () => {
    it.each([
      ['no command', []],
      ['an unknown command', ['frobnicate']],
      ['an unknown flag', ['sign', '--data', '{}', '--bogus']],
      ['a secret typed as an argument', ['sign', secret, '--data', '{}']],
      ['no secret at all', ['sign', '--data', '{}']],
      ['a timestamp that is not a number', ['sign', '--data', '{}', '--secret', 'whsec_x', '--timestamp', 'soon']],
      ['verify without --header', ['verify', '--data', '{}', '--secret', 'whsec_x']],
      ['send without a URL', ['send', '--data', '{}', '--secret', 'whsec_x']],
      ['send to a URL that is not http', ['send', 'ftp://127.0.0.1/', '--data', '{}', '--secret', 'whsec_x']],
      ['send without a body', ['send', 'http://127.0.0.1:9/', '--secret', 'whsec_x']],
      ['a bad -H', ['send', 'http://127.0.0.1:9/', '--data', '{}', '--secret', 'whsec_x', '-H', 'no-colon']],
      ['both --data and --file', ['sign', '--data', '{}', '--file', 'x', '--secret', 'whsec_x']],
    ])('exits 2 with a usage error for %s', async (_, args) => {
      const run = await cli(args, { stdin: '' })
      expect(run.code).toBe(2)
      expect(run.stdout + run.stderr).toMatch(/Usage|usage|--help/)
    })

    it('never echoes a secret, from a flag or the environment, in an error', async () => {
      const run = await cli(['verify', '--header', 'x', secret], { env: withSecret })
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('not shown')
    })

    it.each(['sign', 'verify', 'send'])('has --help for %s that prefers the environment variable', async (command) => {
      const run = await cli([command, '--help'])
      expect(run.code).toBe(0)
      expect(run.stdout).toMatch(new RegExp(`^Usage: tragentics-webhooks ${command}`))
      expect(run.stdout).toContain('TRAGENTICS_WEBHOOK_SECRET')
      expect(run.stdout).toContain('shell history')
    })

    it('prints the version', async () => {
      expect((await cli(['--version'])).stdout).toBe(`${version}\n`)
    })
  })
})
