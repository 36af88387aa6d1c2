import { readFileSync } from 'node:fs'
import { defineConfig, type Options } from 'tsup'

// The core imports its HMAC backend as '#hmac'. Each build binds it to one
// implementation, and package.json's export conditions pick the build: an
// edge or worker bundle resolves dist/web, which never imports node:crypto.
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

function hmacBackend(target: 'node' | 'web'): NonNullable<Options['esbuildPlugins']>[number] {
  return {
    name: 'hmac-backend',
    setup(b) {
      b.onResolve({ filter: /^#hmac$/ }, () => ({ path: new URL(`./src/hmac/${target}.ts`, import.meta.url).pathname }))
    },
  }
}

function build(target: 'node' | 'web'): Options {
  return {
    // The Node-only adapters exist in the node build alone.
    entry: {
      index: 'src/index.ts',
      testing: 'src/testing.ts',
      ...(target === 'node' && { express: 'adapters/express.ts', koa: 'adapters/koa.ts', redis: 'src/redis-replay-store.ts' }),
    },
    outDir: `dist/${target}`,
    format: ['esm', 'cjs'],
    dts: true,
    splitting: true,
    clean: true,
    sourcemap: false,
    treeshake: true,
    target: 'es2022',
    platform: target === 'node' ? 'node' : 'neutral',
    esbuildPlugins: [hmacBackend(target)],
  }
}

// The CLI: one ESM file with a shebang, run by package.json's bin.
const cli: Options = {
  entry: { bin: 'src/bin.ts' },
  outDir: 'dist/cli',
  format: ['esm'],
  platform: 'node',
  target: 'es2022',
  clean: true,
  banner: { js: '#!/usr/bin/env node' },
  define: { __VERSION__: JSON.stringify(version) },
  esbuildPlugins: [hmacBackend('node')],
}

export default defineConfig([build('node'), build('web'), cli])
