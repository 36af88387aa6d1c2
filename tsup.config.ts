import { defineConfig, type Options } from 'tsup'

// The core imports its HMAC backend as '#hmac'. Each build binds it to one
// implementation, and package.json's export conditions pick the build: an
// edge or worker bundle resolves dist/web, which never imports node:crypto.
function build(target: 'node' | 'web'): Options {
  return {
    // The Node-only adapters exist in the node build alone.
    entry: target === 'node' ? { index: 'src/index.ts', express: 'adapters/express.ts', koa: 'adapters/koa.ts', redis: 'src/redis-replay-store.ts' } : { index: 'src/index.ts' },
    outDir: `dist/${target}`,
    format: ['esm', 'cjs'],
    dts: true,
    splitting: true,
    clean: true,
    sourcemap: false,
    treeshake: true,
    target: 'es2022',
    platform: target === 'node' ? 'node' : 'neutral',
    esbuildPlugins: [
      {
        name: 'hmac-backend',
        setup(b) {
          b.onResolve({ filter: /^#hmac$/ }, () => ({ path: new URL(`./src/hmac/${target}.ts`, import.meta.url).pathname }))
        },
      },
    ],
  }
}

export default defineConfig([build('node'), build('web')])
