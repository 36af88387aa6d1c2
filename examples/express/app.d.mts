import type { Express } from 'express'
import type { ReplayStore, Secret } from '@tragentics/webhooks'

/** Builds the example receiver; `secrets` holds the current secret first, then any older one still accepted. */
export function createApp(options: { secrets: Secret[]; replayStore?: ReplayStore }): Express
