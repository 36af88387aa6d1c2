// npm run bench [-- --json FILE] [--quick]: every verifier at 1 KiB, 64 KiB
// and 1 MiB in one process, the openssl SHA-256 ceiling, an HTTP bench of
// the middlewares against bare routes, and a timing-leak check; then each
// target of the benchmark issue with PASS or FAIL. Ratios, never absolute
// times, decide: the machines are shared and noisy.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import os from 'node:os'
import { parseArgs } from 'node:util'
import { runHttp } from './http.mjs'
import { runMicro } from './micro.mjs'
import { runTiming } from './timing.mjs'

const { values: args } = parseArgs({ options: { json: { type: 'string' }, quick: { type: 'boolean' } } })
const quick = Boolean(args.quick)
const info = (...parts) => process.stderr.write(`${parts.join(' ')}\n`)

if (typeof globalThis.gc !== 'function') info('note: run through npm run bench (node --expose-gc) for the heap figures')

/** SHA-256 of 1 MiB blocks for about a second: the hardware ceiling of any HMAC here. */
function opensslCeiling() {
  try {
    const out = execFileSync('openssl', ['speed', '-bytes', '1048576', '-seconds', '1', '-evp', 'sha256'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 })
    const match = /sha256\s+([\d.]+)k/i.exec(out.split('\n').filter((l) => /sha256/i.test(l)).pop() ?? '')
    return match ? Number(match[1]) * 1000 : null
  } catch {
    return null
  }
}

info('micro benchmarks (interleaved rounds)...')
const micro = await runMicro({ rounds: quick ? 2 : 6, log: info })
for (const row of micro) {
  const base = micro.find((r) => r.size === row.size && r.group === 'baseline')
  row.ratio = row.ns / base.ns
}

info('openssl ceiling...')
const ceiling = opensslCeiling()
info('HTTP bench (interleaved rounds)...')
const http = await runHttp(quick ? { rounds: 3, seconds: 1 } : { rounds: 10, seconds: 2 })
info('timing check...')
const timing = await runTiming({ samples: quick ? 30_000 : 100_000 })

// The targets, each against figures of this same run.
const at = (size, name) => micro.find((r) => r.size === size && r.name === name)
const sizes = [...new Set(micro.map((r) => r.size))]
const targets = []
const target = (what, value, limit, pass, note) => targets.push({ what, value, limit, pass, ...(note && { note }) })
for (const size of sizes) {
  const base = at(size, 'node:crypto baseline')
  const bound = size === '1 KiB' ? 1.1 : 1.05
  for (const name of ['verify (node:crypto)', 'createVerifier().verify (node:crypto)']) {
    const r = at(size, name).ns / base.ns
    target(`${name} at ${size} vs baseline`, `${r.toFixed(3)}×`, `≤ ${bound}×`, r <= bound)
  }
  const json = at(size, 'verifyEvent (node:crypto)').ns / at(size, 'baseline + JSON.parse').ns
  target(`verifyEvent at ${size} vs baseline + JSON.parse`, `${json.toFixed(3)}×`, '≤ 1.05×', json <= 1.05)
  const ours = Math.max(at(size, 'verify (node:crypto)').ns, at(size, 'createVerifier().verify (node:crypto)').ns)
  for (const peer of ['Stripe webhooks.signature.verifyHeader', '@octokit/webhooks-methods verify']) {
    const r = at(size, peer).ns / ours
    target(`faster than ${peer} at ${size}`, `${r.toFixed(2)}× faster`, '> 1×', r > 1)
  }
  if (size !== '1 KiB') {
    const construct = at(size, 'Stripe webhooks.constructEvent').ns
    const r = construct / at(size, 'verifyEvent (node:crypto)').ns
    const floor = construct / at(size, 'baseline + JSON.parse').ns
    target(
      `verifyEvent vs Stripe constructEvent at ${size}`,
      `${r.toFixed(2)}× faster`,
      '≥ 2×',
      r >= 2,
      r >= 2 ? undefined : `out of reach: constructEvent is only ${floor.toFixed(2)}× the floor (baseline + JSON.parse); verify, without JSON, is ${(construct / at(size, 'verify (node:crypto)').ns).toFixed(2)}× faster`,
    )
  }
  // Per round, not fastest round: see pairedRatio in bench/micro.mjs.
  const webRatio = at(size, 'createVerifier().verify (webcrypto)').paired.ratio
  target(`createVerifier().verify (webcrypto) at ${size} vs raw subtle.verify (median of 200 paired rounds)`, `${webRatio.toFixed(3)}×`, '≤ 1.10×', webRatio <= 1.1)
}
const mib = at('1 MiB', 'createVerifier().verify (node:crypto)')
if (ceiling) {
  const share = (mib.bytes / (mib.ns / 1e9)) / ceiling
  target('1 MiB throughput vs openssl speed sha256', `${(share * 100).toFixed(1)}%`, '≥ 90%', share >= 0.9)
}
for (const name of ['verify (node:crypto)', 'createVerifier().verify (node:crypto)']) {
  const heap = at('1 MiB', name).heapPerOp
  target(`heap allocated per 1 MiB ${name}`, Number.isFinite(heap) ? `${(heap / 1024).toFixed(1)} KiB` : 'not measured', '≤ 1.1 MiB', Number.isFinite(heap) && heap <= 1.1 * 1024 * 1024)
}
const ratioToBare = (mode) => http.find((h) => h.mode === mode).ratioToBare
const express = ratioToBare('express-verify')
const expressFloor = ratioToBare('express-baseline')
target(
  'Express verifyWebhook vs bare route, req/s at 1 KiB',
  `${express.toFixed(3)}×`,
  '≥ 0.95×',
  express >= 0.95,
  express >= 0.95
    ? undefined
    : `${expressFloor < 0.95 ? 'out of reach here: ' : ''}the control route (express.raw() and the baseline check inline, no JSON, no middleware) measured ${expressFloor.toFixed(3)}× in this run`,
)
target('Koa verifyWebhook vs bare route, req/s at 1 KiB (no target of its own)', `${ratioToBare('koa-verify').toFixed(3)}×`, 'reported', true, `the control route measured ${ratioToBare('koa-baseline').toFixed(3)}×`)
for (const { backend, pairs } of timing) {
  const { t } = pairs.find((p) => p.pair === 'first byte vs last byte')
  target(`timing, first vs last byte mismatch (${backend})`, `|t| = ${Math.abs(t).toFixed(2)}`, '< 4.5', Math.abs(t) < 4.5)
}

// The report.
const fmtTime = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(2)} µs`)
const fmtBytes = (b) => (!Number.isFinite(b) ? 'n/a' : b >= 1024 * 1024 ? `${(b / 1048576).toFixed(2)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${Math.round(b)} B`)
console.log(`\n@tragentics/webhooks benchmarks: Node ${process.version}, OpenSSL ${process.versions.openssl}, ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores)\n`)
for (const size of sizes) {
  console.log(`${size}`)
  console.log(`  ${'row'.padEnd(48)}${'time/op'.padStart(11)}${'ops/s'.padStart(11)}${'MB/s'.padStart(9)}${'× base'.padStart(8)}${'heap/op'.padStart(11)}`)
  for (const r of micro.filter((m) => m.size === size)) {
    console.log(`  ${r.name.padEnd(48)}${fmtTime(r.ns).padStart(11)}${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(11)}${r.mbPerSec.toFixed(0).padStart(9)}${r.ratio.toFixed(2).padStart(8)}${fmtBytes(r.heapPerOp).padStart(11)}`)
  }
}
if (ceiling) console.log(`\nopenssl speed -evp sha256, 1 MiB blocks: ${(ceiling / 1e6).toFixed(0)} MB/s`)
console.log('\nHTTP, 1 KiB deliveries, 16 connections, median of interleaved rounds')
for (const h of http) {
  console.log(`  ${h.mode.padEnd(18)}${Math.round(h.rps).toLocaleString('en-US').padStart(9)} req/s  p99 ${String(h.p99).padStart(4)} ms  ${h.ratioToBare.toFixed(3)}× bare (median of paired rounds)`)
}
console.log('\nTiming (Welch t, |t| > 4.5 is a leak)')
for (const { backend, pairs } of timing) for (const p of pairs) console.log(`  ${backend.padEnd(12)} ${p.pair.padEnd(24)} |t| = ${Math.abs(p.t).toFixed(2)}`)
console.log('\nTargets')
for (const t of targets) console.log(`  ${t.pass ? 'PASS' : 'FAIL'}  ${t.what}: ${t.value} (target ${t.limit})${t.note ? `\n        ${t.note}` : ''}`)

if (args.json) {
  const machine = { node: process.version, openssl: process.versions.openssl, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, date: new Date().toISOString().slice(0, 10) }
  writeFileSync(args.json, `${JSON.stringify({ machine, micro, ceiling, http, timing, targets }, null, 2)}\n`)
  info(`wrote ${args.json}`)
}
