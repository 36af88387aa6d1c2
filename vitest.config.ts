import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

// Tests import the package by its name, as users do, and get the sources.
const packageAlias = { find: /^@tragentics\/webhooks$/, replacement: here('./src/index.ts') }
const adapterAlias = { find: /^@tragentics\/webhooks\/(express|koa)$/, replacement: here('./adapters/$1.ts') }
const backendAlias = (name: 'node' | 'web') => ({ find: /^#hmac$/, replacement: here(`./src/hmac/${name}.ts`) })

// The core suite runs twice, once on each HMAC backend; TRAGENTICS_BACKEND
// tells each run which backend it must have been given.
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: [packageAlias, adapterAlias, backendAlias('node')] },
        test: {
          name: 'node:crypto',
          include: ['test/**/*.test.ts'],
          env: { TRAGENTICS_BACKEND: 'node:crypto' },
          typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
        },
      },
      {
        resolve: { alias: [packageAlias, adapterAlias, backendAlias('web')] },
        test: { name: 'webcrypto', include: ['test/core/**/*.test.ts'], env: { TRAGENTICS_BACKEND: 'webcrypto' } },
      },
    ],
  },
})
