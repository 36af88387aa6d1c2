import { readFileSync } from 'node:fs'
import { defineConfig, type Options } from 'tsup'

// Two builds of the same sources, picked by package.json's export
// conditions: dist/node for Node, Bun and Deno, dist/web for edge runtimes
// and Workers, which never imports a node: module.
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string }

// The two internal imports that differ per build: the HMAC backend, and
// the Pages Router's Node side (which an edge bundle must not contain).
const internal = {
  node: { '#hmac': './src/hmac/node.ts', '#pages-router': './adapters/pages-router-node.ts' },
  web: { '#hmac': './src/hmac/web.ts', '#pages-router': './adapters/pages-router-edge.ts' },
}

function bindInternal(target: 'node' | 'web'): NonNullable<Options['esbuildPlugins']>[number] {
  return {
    name: 'bind-internal',
    setup(b) {
      b.onResolve({ filter: /^#(hmac|pages-router)$/ }, ({ path }) => ({
        path: new URL(internal[target][path as keyof (typeof internal)['node']], import.meta.url).pathname,
      }))
    },
  }
}

function build(target: 'node' | 'web'): Options {
  return {
    // The Node-only adapters exist in the node build alone.
    entry: {
      index: 'src/index.ts',
      testing: 'src/testing.ts',
      next: 'adapters/next.ts',
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
    esbuildPlugins: [bindInternal(target)],
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
  esbuildPlugins: [bindInternal('node')],
}

export default defineConfig([build('node'), build('web'), cli])
