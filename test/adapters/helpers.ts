import { createServer, type RequestListener, type Server } from 'node:http'
import { connect } from 'node:net'
import { gzipSync } from 'node:zlib'
import type { Test } from 'supertest'
import { expect, it } from 'vitest'
import { sign, WEBHOOK_ERRORS, type WebhookErrorCode } from '@tragentics/webhooks'
import { vectorBody, vectors, vectorSecrets } from '../vectors.js'

export const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'
export const eventBody = JSON.stringify({ id: 'evt_01', type: 'agent.registered', data: { agent_id: 'agt_42' } })

/**
 * What a framework must answer for a vector: a valid one reaches the handler
 * (which echoes the raw bytes as base64) once; any other gets the contract's
 * status and body as application/json, and the handler never runs.
 */
function expectVectorAnswer(
  v: { expect: 'valid' | WebhookErrorCode },
  res: { status: number; headers: Record<string, string | undefined>; body: { raw?: string } },
  sent: Buffer,
  handler: { mock: { calls: unknown[] } },
): void {
  if (v.expect === 'valid') {
    expect(res.status).toBe(200)
    expect(Buffer.from(res.body.raw ?? '', 'base64').equals(sent)).toBe(true)
    expect(handler.mock.calls).toHaveLength(1)
  } else {
    const { status, body } = contractAnswer(v.expect)
    expect(res.status).toBe(status)
    expect(res.headers['content-type']).toBe('application/json')
    expect(res.body).toEqual(body)
    expect(handler.mock.calls).toHaveLength(0)
  }
}

/**
 * One test per shared vector, sent with `parse: 'none'` through the app that
 * `deliver` builds for those options (a POST to its webhook route, and the
 * route's handler), and answered as expectVectorAnswer says.
 */
export function itAnswersEveryVector(
  deliver: (options: { secrets: string[]; now: number; tolerance: number; parse: 'none' }) => { post: Test; handler: { mock: { calls: unknown[] } } },
): void {
  it.each(vectors.map((v) => [v.name, v] as const))('%s', async (_name, v) => {
    const { post, handler } = deliver({ secrets: vectorSecrets(v), now: v.now, tolerance: v.tolerance, parse: 'none' })
    const body = vectorBody(v)
    let req = post.set('content-type', 'application/json')
    if (v.header !== null) req = req.set('x-tragentics-signature', v.header)
    expectVectorAnswer(v, await req.send(body), body, handler)
  })
}

/** The exact answer the contract prescribes for a code. */
export function contractAnswer(code: WebhookErrorCode): { status: number; body: { error: string } } {
  return { status: WEBHOOK_ERRORS[code].status, body: { error: WEBHOOK_ERRORS[code].message } }
}

export async function signedHeaders(body: string | Uint8Array, options: { secret?: string | string[]; timestamp?: number; gzip?: boolean } = {}) {
  const wire = options.gzip ? gzipSync(body) : body
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-tragentics-signature': await sign(wire, options.secret ?? secret, options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
  }
  if (options.gzip) headers['content-encoding'] = 'gzip'
  return { headers, wire: typeof wire === 'string' ? Buffer.from(wire) : Buffer.from(wire) }
}

/** A server on 127.0.0.1 on a free port. */
export async function listen(listener: RequestListener): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer(listener)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return {
    server,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

export interface RawResponse {
  status: number
  headers: Record<string, string>
  body: string
}

/**
 * Sends bytes on a plain TCP socket, for what an HTTP client library will
 * not do: a body shorter than its Content-Length, a write half-closed early,
 * chunks split inside a character. Resolves with the parsed answer, or null
 * when the server closed without one.
 */
export function sendRaw(
  port: number,
  parts: (string | Buffer)[],
  { halfClose = false, destroyAfterMs, timeoutMs = 5000 }: { halfClose?: boolean; destroyAfterMs?: number; timeoutMs?: number } = {},
): Promise<RawResponse | null> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const received: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer within ${timeoutMs} ms`))
    }, timeoutMs)
    socket.on('data', (chunk: Buffer) => received.push(chunk))
    socket.on('error', () => undefined)
    socket.on('close', () => {
      clearTimeout(timer)
      const text = Buffer.concat(received).toString('utf8')
      if (text === '') {
        resolve(null)
        return
      }
      const [head = '', ...rest] = text.split('\r\n\r\n')
      const [statusLine = '', ...headerLines] = head.split('\r\n')
      const headers: Record<string, string> = {}
      for (const line of headerLines) {
        const i = line.indexOf(':')
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim()
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') })
    })
    socket.on('connect', () => {
      void (async () => {
        for (const part of parts) {
          socket.write(part)
          await new Promise((r) => setTimeout(r, 5))
        }
        if (halfClose) socket.end()
        if (destroyAfterMs !== undefined) setTimeout(() => socket.destroy(), destroyAfterMs)
      })()
    })
  })
}

/** The head of a POST request, for sendRaw. */
export function requestHead(path: string, headers: Record<string, string | number>): string {
  return [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n')
}

/** A chunked body, one chunk per part, for sendRaw. */
export function chunked(parts: Buffer[]): Buffer[] {
  return [...parts.map((p) => Buffer.concat([Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from('\r\n')])), Buffer.from('0\r\n\r\n')]
}

/** Resolves with the first value pushed, or rejects after a bound: a test never waits forever. */
export function deferred<T>(timeoutMs = 5000): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    setTimeout(() => rej(new Error(`nothing happened within ${timeoutMs} ms`)), timeoutMs).unref()
  })
  return { promise, resolve }
}
