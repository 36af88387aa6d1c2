// The in-process rows of `npm run bench`: every verifier, at every size, in
// one process, so the ratios to the baseline measured beside them hold on a
// noisy machine. Imports the built package (dist/), as users get it.
import { webcrypto } from 'node:crypto'
import { PerformanceObserver } from 'node:perf_hooks'
import { verify as octokitVerify, sign as octokitSign } from '@octokit/webhooks-methods'
import { measure } from 'mitata'
import { Webhook as StandardWebhook } from 'standardwebhooks'
import Stripe from 'stripe'
import { Webhook as SvixWebhook } from 'svix'
import * as node from '../dist/node/index.js'
import * as web from '../dist/web/index.js'
import { baseline } from './baseline.mjs'
import { median } from './median.mjs'

export const SIZES = [
  ['1 KiB', 1024],
  ['64 KiB', 64 * 1024],
  ['1 MiB', 1024 * 1024],
]

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'

/** A JSON body of exactly `size` bytes. */
function jsonBody(size) {
  const head = '{"id":"evt_bench","type":"agent.registered","data":{"pad":"'
  const tail = '"}}'
  return Buffer.from(head + 'x'.repeat(size - head.length - tail.length) + tail)
}

/** Allocation per call, V8 heap and ArrayBuffers together, retried until no GC ran in between. */
async function allocatedPerOp(fn, ops) {
  let gcs = 0
  const observer = new PerformanceObserver((list) => (gcs += list.getEntries().length))
  observer.observe({ entryTypes: ['gc'] })
  try {
    // GC entries reach the observer a little later: let them land before and after.
    const settle = () => new Promise((r) => setTimeout(r, 5))
    for (let attempt = 0; attempt < 8; attempt++) {
      globalThis.gc?.()
      await settle()
      const before = gcs
      const m0 = process.memoryUsage()
      for (let i = 0; i < ops; i++) await fn()
      const m1 = process.memoryUsage()
      await settle()
      if (gcs === before) return (m1.heapUsed - m0.heapUsed + (m1.arrayBuffers - m0.arrayBuffers)) / ops
      ops = Math.max(1, Math.floor(ops / 2))
    }
    return Number.NaN
  } finally {
    observer.disconnect()
  }
}

/**
 * One row's time over another's, as the median over 200 short pairs timed
 * back to back in alternating order. For WebCrypto rows: each call runs on
 * libuv's thread pool, and the handoff there and back (most of a 1 KiB
 * call) swings by half between rounds of the same code on a shared
 * machine, more than any fastest-round figure can hide.
 */
async function pairedRatio(fn, baseFn, calls, pairs = 200) {
  const time = async (f) => {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < calls; i++) await f()
    return Number(process.hrtime.bigint() - t0)
  }
  const ratios = []
  for (let i = 0; i < pairs; i++) {
    if (i % 2 === 0) {
      const t = await time(fn)
      ratios.push(t / (await time(baseFn)))
    } else {
      const base = await time(baseFn)
      ratios.push((await time(fn)) / base)
    }
  }
  return median(ratios)
}

/**
 * Measures every row at every size. Rows are measured in interleaved rounds
 * (each row a short mitata measurement per round) and each keeps the
 * fastest round's median: a slow stretch of the shared machine then costs
 * every row alike instead of whichever row it fell on.
 */
export async function runMicro({ rounds = 5, log = () => undefined } = {}) {
  const stripe = new Stripe('sk_test_bench')
  const standardSecret = `whsec_${Buffer.from('bench-secret-of-32-bytes-length!').toString('base64')}`
  const standard = new StandardWebhook(standardSecret)
  const svix = new SvixWebhook(standardSecret)
  const nodeVerifier = node.createVerifier({ secret: SECRET })
  const webVerifier = web.createVerifier({ secret: SECRET })
  const subtleKey = await webcrypto.subtle.importKey('raw', new TextEncoder().encode(SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])

  const groups = []
  for (const [label, size] of SIZES) {
    const body = jsonBody(size)
    const text = body.toString('utf8')
    const header = await node.sign(body, SECRET)
    const t = header.slice(2, header.indexOf(','))
    const sigBytes = Buffer.from(header.slice(header.indexOf('v1=') + 3), 'hex')
    const prefix = Buffer.from(`${t}.`)
    const msgId = 'msg_bench'
    const now = new Date()
    const standardHeaders = { 'webhook-id': msgId, 'webhook-timestamp': String(Math.floor(now / 1000)), 'webhook-signature': standard.sign(msgId, now, text) }
    const octokitSignature = await octokitSign(SECRET, text)

    // Each: [row name, group, fn]. Every fn verifies a genuine delivery and must not throw.
    const cases = [
      ['node:crypto baseline', 'baseline', () => baseline(body, header, SECRET)],
      ['verify (node:crypto)', 'ours-node', () => node.verify(body, header, SECRET)],
      ['createVerifier().verify (node:crypto)', 'ours-node', () => nodeVerifier.verify(body, header)],
      ['baseline + JSON.parse', 'baseline-json', () => (baseline(body, header, SECRET), JSON.parse(body.toString('utf8')))],
      ['verifyEvent (node:crypto)', 'ours-node', () => nodeVerifier.verifyEvent(body, header)],
      ['raw WebCrypto subtle.verify, key imported once', 'baseline-web', () => {
        const content = new Uint8Array(prefix.length + body.length)
        content.set(prefix)
        content.set(body, prefix.length)
        return webcrypto.subtle.verify('HMAC', subtleKey, sigBytes, content)
      }],
      ['verify (webcrypto)', 'ours-web', () => web.verify(body, header, SECRET)],
      ['createVerifier().verify (webcrypto)', 'ours-web', () => webVerifier.verify(body, header)],
      ['verifyEvent (webcrypto)', 'ours-web', () => webVerifier.verifyEvent(body, header)],
      ['Stripe webhooks.signature.verifyHeader', 'peer', () => stripe.webhooks.signature.verifyHeader(body, header, SECRET)],
      ['Stripe webhooks.constructEvent', 'peer', () => stripe.webhooks.constructEvent(body, header, SECRET)],
      ['standardwebhooks verify (jsonParse false)', 'peer', () => standard.verify(text, standardHeaders, { jsonParse: false })],
      ['svix verify', 'peer', () => svix.verify(text, standardHeaders)],
      ['@octokit/webhooks-methods verify', 'peer', async () => {
        if (!(await octokitVerify(SECRET, text, octokitSignature))) throw new Error('octokit refused')
      }],
    ]
    for (const [, , fn] of cases) await fn() // a genuine delivery: throws here if a row is set up wrong
    groups.push({ label, size, cases: cases.map(([name, group, fn]) => ({ name, group, fn, ns: Infinity })) })
  }

  for (let round = 0; round < rounds; round++) {
    for (const { cases } of groups) {
      for (const row of cases) {
        const stats = await measure(row.fn, { min_cpu_time: 60 * 1e6 })
        row.ns = Math.min(row.ns, stats.p50)
      }
    }
    log(`round ${round + 1} of ${rounds}`)
  }

  // The WebCrypto target's ratio, taken in pairs (see pairedRatio).
  for (const { size, cases } of groups) {
    const row = cases.find((c) => c.name === 'createVerifier().verify (webcrypto)')
    const base = cases.find((c) => c.group === 'baseline-web')
    row.paired = { to: base.name, ratio: await pairedRatio(row.fn, base.fn, size >= 1024 * 1024 ? 4 : 40) }
  }

  const rows = []
  for (const { label, size, cases } of groups) {
    for (const { name, group, fn, ns, paired } of cases) {
      const heap = await allocatedPerOp(fn, size >= 1024 * 1024 ? 16 : size >= 64 * 1024 ? 128 : 2048)
      rows.push({ size: label, bytes: size, name, group, ns, ...(paired && { paired }), opsPerSec: 1e9 / ns, mbPerSec: size / 1e6 / (ns / 1e9), heapPerOp: heap })
    }
  }
  return rows
}
