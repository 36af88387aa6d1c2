import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const backendAlias = (name: 'node' | 'web') => ({
  find: /^#hmac$/,
  replacement: fileURLToPath(new URL(`./src/hmac/${name}.ts`, import.meta.url)),
})

// The core suite runs twice, once on each HMAC backend; TRAGENTICS_BACKEND
// tells each run which backend it must have been given.
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: [backendAlias('node')] },
        test: { name: 'node:crypto', include: ['test/**/*.test.ts'], env: { TRAGENTICS_BACKEND: 'node:crypto' } },
      },
      {
        resolve: { alias: [backendAlias('web')] },
        test: { name: 'webcrypto', include: ['test/core/**/*.test.ts'], env: { TRAGENTICS_BACKEND: 'webcrypto' } },
      },
    ],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
})
