// npm run example:next: the Next.js example (the end-to-end test's app, in
// test/e2e/next-app) with this package installed from its tarball, built
// and started on http://127.0.0.1:3000. Needs TRAGENTICS_WEBHOOK_SECRET.
import { execFileSync, spawn } from 'node:child_process'
import { join, resolve } from 'node:path'
import { installTarball } from './install-tarball.mjs'

if (!process.env.TRAGENTICS_WEBHOOK_SECRET) {
  console.error('Set TRAGENTICS_WEBHOOK_SECRET to your webhook secret first.')
  process.exit(2)
}
const root = resolve(import.meta.dirname, '..')
const app = join(root, 'test/e2e/next-app')
const next = join(root, 'node_modules/next/dist/bin/next')
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' }
installTarball(app)
execFileSync(process.execPath, [next, 'build'], { cwd: app, env, stdio: 'inherit' })
spawn(process.execPath, [next, 'start', '-H', '127.0.0.1', '-p', process.env.PORT ?? '3000'], { cwd: app, env, stdio: 'inherit' })
