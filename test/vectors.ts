import { readFileSync } from 'node:fs'
import type { WebhookErrorCode } from '../src/index.js'

export interface Vector {
  name: string
  secret?: string
  secrets?: string[]
  body?: string
  body_base64?: string
  header: string | null
  now: number
  tolerance: number
  expect: 'valid' | WebhookErrorCode
  note?: string
}

const file = JSON.parse(readFileSync(new URL('./fixtures/vectors.json', import.meta.url), 'utf8')) as { cases: Vector[] }

/** Every case of the shared contract's vectors, unchanged. */
export const vectors: readonly Vector[] = file.cases

/** The exact bytes of a vector's body. */
export function vectorBody(v: Vector): Buffer {
  return v.body_base64 !== undefined ? Buffer.from(v.body_base64, 'base64') : Buffer.from(v.body ?? '', 'utf8')
}

/** The receiver's secrets of a vector, always as a list. */
export function vectorSecrets(v: Vector): string[] {
  return v.secrets ?? [v.secret ?? '']
}
