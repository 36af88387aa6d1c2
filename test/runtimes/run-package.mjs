// The conformance suite on a runtime that loads npm packages itself (Node,
// Bun, Deno): the package comes from node_modules through its export
// conditions, as that runtime resolves them. Prints the results as JSON.
import { readFileSync } from 'node:fs'
import * as api from '@tragentics/webhooks'
import * as next from '@tragentics/webhooks/next'
import { conformance } from './conformance.mjs'

const { cases: vectors } = JSON.parse(readFileSync(new URL('../fixtures/vectors.json', import.meta.url), 'utf8'))
console.log(JSON.stringify(await conformance({ api, next, vectors })))
