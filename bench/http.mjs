// The HTTP rows of `npm run bench`: autocannon, in this process, against
// servers each in its own process on 127.0.0.1, in interleaved rounds
// (A B A B ...) so that a noisy neighbour hits every server alike.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { sign } from '../dist/node/index.js'
import { median } from './median.mjs'

const SERVER = fileURLToPath(new URL('./http-server.mjs', import.meta.url))
const SECRET = 'whsec_bench_http_MfKQ9r8GKYqrTwjU'

function start(mode) {
  const child = spawn(process.execPath, [SERVER, mode], { env: { ...process.env, BENCH_SECRET: SECRET }, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      const match = /listening (\d+)/.exec(String(chunk))
      if (match) resolve({ mode, child, url: `http://127.0.0.1:${match[1]}/webhooks` })
    })
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)))
  })
}

function load(url, body, headers, seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url, method: 'POST', body, headers, connections: 16, duration: seconds, pipelining: 1 }, (err, result) => (err ? reject(err) : resolve(result)))
  })
}

export async function runHttp({ rounds = 8, seconds = 2, log = () => undefined } = {}) {
  const body = JSON.stringify({ id: 'evt_bench', type: 'agent.registered', data: { pad: 'x'.repeat(1024 - 60) } })
  const headers = { 'content-type': 'application/json', 'x-tragentics-signature': await sign(body, SECRET) }
  const modes = ['express-bare', 'express-baseline', 'express-verify', 'koa-bare', 'koa-baseline', 'koa-verify']
  const servers = await Promise.all(modes.map(start))
  const samples = Object.fromEntries(modes.map((m) => [m, []]))
  try {
    for (const server of servers) await load(server.url, body, headers, 1) // warm up
    for (let round = 0; round < rounds; round++) {
      for (const server of servers) {
        const result = await load(server.url, body, headers, seconds)
        if (result.non2xx > 0 || result.errors > 0) throw new Error(`${server.mode}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
        samples[server.mode].push({ rps: result.requests.average, p99: result.latency.p99 })
        log(server.mode, round, result.requests.average)
      }
    }
  } finally {
    for (const { child } of servers) child.kill('SIGTERM')
  }
  // Each round measured a bare route and its verifying twin back to back:
  // the median of those paired ratios is what the noise disturbs least.
  return modes.map((mode) => {
    const bare = samples[`${mode.split('-')[0]}-bare`]
    const ratios = samples[mode].map((s, i) => s.rps / bare[i].rps)
    return { mode, rps: median(samples[mode].map((s) => s.rps)), p99: median(samples[mode].map((s) => s.p99)), ratioToBare: median(ratios), rounds: samples[mode] }
  })
}
