// Installs this package into a folder the way npm would: packs the tarball
// (of the current build) and unpacks it into FOLDER/node_modules. Used by
// the Next.js end-to-end test and by npm run example:next.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')

export function installTarball(folder) {
  if (!existsSync(join(root, 'dist/node/index.js'))) throw new Error('the package is not built: run npm run build (npm test does)')
  const work = mkdtempSync(join(tmpdir(), 'tragentics-webhooks-tarball-'))
  try {
    const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: root, encoding: 'utf8' }).trim().split('\n').pop()
    const target = join(folder, 'node_modules/@tragentics/webhooks')
    rmSync(target, { recursive: true, force: true })
    mkdirSync(target, { recursive: true })
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', target, '--strip-components=1'])
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}
