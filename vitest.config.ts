import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// Tests import the package by its names, as users do, and get the sources
// (the same map as tsconfig.json's paths).
const packageAliases = Object.entries({
  '@tragentics/webhooks': './src/index.ts',
  '@tragentics/webhooks/express': './adapters/express.ts',
  '@tragentics/webhooks/koa': './adapters/koa.ts',
  '@tragentics/webhooks/redis': './src/redis-replay-store.ts',
  '@tragentics/webhooks/testing': './src/testing.ts',
  '@tragentics/webhooks/next': './adapters/next.ts',
}).map(([name, path]) => ({ find: new RegExp(`^${name}$`), replacement: here(path) }))
// The internal imports each build binds (see tsup.config.ts).
const internal = (target: 'node' | 'web') => [
  { find: /^#hmac$/, replacement: here(`./src/hmac/${target}.ts`) },
  { find: /^#pages-router$/, replacement: here(`./adapters/pages-router-${target === 'node' ? 'node' : 'edge'}.ts`) },
]

// The core suite runs twice, once on each HMAC backend; TRAGENTICS_BACKEND
// tells each run which backend it must have been given.
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: [...packageAliases, ...internal('node')] },
        test: {
          name: 'node:crypto',
          include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
          env: { TRAGENTICS_BACKEND: 'node:crypto' },
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        resolve: { alias: [...packageAliases, ...internal('web')] },
        test: { name: 'webcrypto', include: ['test/core/**/*.test.ts', 'test/adapters/next-app-router.test.ts'], env: { TRAGENTICS_BACKEND: 'webcrypto' } },
      },
    ],
  },
})
