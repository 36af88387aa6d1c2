// npm run bench:timing: does verification time depend on where a forged
// signature differs from the expected one? Times verify() on signatures
// that differ in the first byte, in the last byte, and that match, in a
// random interleaving, and runs Welch's t-test on each pair. dudect's rule
// of thumb: |t| > 4.5 over enough samples is a leak.
import { pathToFileURL } from 'node:url'
import * as node from '../dist/node/index.js'
import * as web from '../dist/web/index.js'

const SECRET = 'whsec_timing_MfKQ9r8GKYqrTwjUPD8I'

function welch(a, b) {
  const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length
  const variance = (xs, m) => xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1)
  const ma = mean(a)
  const mb = mean(b)
  return (ma - mb) / Math.sqrt(variance(a, ma) / a.length + variance(b, mb) / b.length)
}

/** Drops the slowest samples (interrupts, GC), at one threshold for all classes, as dudect crops. */
function crop(classes, percentile) {
  const all = Object.values(classes).flat().sort((x, y) => x - y)
  const limit = all[Math.floor(all.length * percentile)]
  return Object.fromEntries(Object.entries(classes).map(([k, xs]) => [k, xs.filter((x) => x <= limit)]))
}

export async function runTiming({ samples = 200_000, backends = ['node:crypto', 'webcrypto'], log = () => undefined } = {}) {
  const results = []
  for (const name of backends) {
    const api = name === 'node:crypto' ? node : web
    const n = name === 'webcrypto' ? Math.floor(samples / 5) : samples
    const body = new TextEncoder().encode(JSON.stringify({ id: 'evt_timing', pad: 'x'.repeat(1000) }))
    const header = await api.sign(body, SECRET, { timestamp: Math.floor(Date.now() / 1000) })
    const v1 = header.slice(header.indexOf('v1=') + 3)
    const flip = (hex, at) => hex.slice(0, at) + ((parseInt(hex[at], 16) ^ 1).toString(16)) + hex.slice(at + 1)
    const headers = {
      first: `t=${header.slice(2, header.indexOf(','))},v1=${flip(v1, 0)}`,
      last: `t=${header.slice(2, header.indexOf(','))},v1=${flip(v1, 63)}`,
      match: header,
    }
    const verifier = api.createVerifier({ secret: SECRET })
    const keys = Object.keys(headers)
    const times = { first: [], last: [], match: [] }
    const noop = () => undefined
    for (let i = 0; i < 2000; i++) await verifier.verify(body, headers[keys[i % 3]]).catch(noop) // warm up
    for (let i = 0; i < n * 3; i++) {
      const which = keys[(Math.random() * 3) | 0]
      const t0 = process.hrtime.bigint()
      await verifier.verify(body, headers[which]).catch(noop)
      times[which].push(Number(process.hrtime.bigint() - t0))
    }
    const cropped = crop(times, 0.9)
    const pairs = [
      ['first byte vs last byte', 'first', 'last'],
      ['first byte vs match', 'first', 'match'],
      ['last byte vs match', 'last', 'match'],
    ].map(([pair, a, b]) => ({ pair, t: welch(cropped[a], cropped[b]), n: Math.min(cropped[a].length, cropped[b].length) }))
    results.push({ backend: name, pairs })
    log(name, pairs)
  }
  return results
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await runTiming()
  let leak = false
  for (const { backend, pairs } of results) {
    for (const { pair, t, n } of pairs) {
      const gated = pair === 'first byte vs last byte'
      if (gated && Math.abs(t) >= 4.5) leak = true
      console.log(`${backend.padEnd(12)} ${pair.padEnd(24)} |t| = ${Math.abs(t).toFixed(2).padStart(6)}  (n = ${n} each)${gated ? (Math.abs(t) < 4.5 ? '  PASS' : '  FAIL') : '  (a match returns, a mismatch throws: not a secret-dependent difference)'}`)
    }
  }
  process.exit(leak ? 1 : 0)
}
