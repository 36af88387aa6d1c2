import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { typeCheck } from '../typescript.js'

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/types/${name}`, import.meta.url))

describe('the event type declared once through Register', () => {
  it.each(['register-express.ts', 'register-koa.ts'])('types the handler’s event in %s', (file) => {
    expect(typeCheck([fixture(file)])).toEqual([])
  }, 60_000)
})
