import type { ReplayStore } from './verify.js'

/** An ioredis client (or cluster): anything with `call(command, ...args)`. */
export interface IoRedisLike {
  call(command: string, ...args: (string | number)[]): Promise<unknown>
}

/** A node-redis client (`redis` v4 and v5): anything with `sendCommand(args)`. */
export interface NodeRedisLike {
  sendCommand(args: string[]): Promise<unknown>
}

/** Options of {@link RedisReplayStore}. */
export interface RedisReplayStoreOptions {
  /** Prepended to every key. Default `'tragentics:webhooks:replay:'`. */
  prefix?: string
  /** A claim slower than this many milliseconds counts as a store failure. Default 2000. */
  timeoutMs?: number
}

/**
 * Remembers accepted deliveries in Redis, so a replay is refused whichever
 * machine it reaches. One atomic `SET key 1 NX EX ttl` per claim. Pass an
 * ioredis or a node-redis client as it comes; this package imports neither.
 *
 * A claim that fails or takes longer than `timeoutMs` rejects, and the
 * verifier answers `replay_store_unavailable` (503) unless `onStoreError:
 * 'allow'`: a client queueing commands while Redis is down cannot stall a
 * request.
 *
 * @param client - an ioredis `Redis`/`Cluster`, or a connected node-redis client
 * @param options - `prefix` (default `'tragentics:webhooks:replay:'`), `timeoutMs` (default 2000)
 * @throws {TypeError} when the client is neither, or an option is invalid
 * @example
 * const verifier = createVerifier({ secret, replayStore: new RedisReplayStore(new Redis(process.env.REDIS_URL!)) })
 */
export class RedisReplayStore implements ReplayStore {
  readonly #set: (key: string, ttl: number) => Promise<unknown>
  readonly #prefix: string
  readonly #timeoutMs: number

  constructor(client: IoRedisLike | NodeRedisLike, options: RedisReplayStoreOptions = {}) {
    const { prefix = 'tragentics:webhooks:replay:', timeoutMs = 2000 } = options
    if (typeof prefix !== 'string') throw new TypeError('prefix must be a string')
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new TypeError(`timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`)
    const candidate = client as Partial<IoRedisLike & NodeRedisLike> | null | undefined
    if (typeof candidate?.call === 'function') {
      const io = candidate as IoRedisLike
      this.#set = (key, ttl) => io.call('SET', key, '1', 'EX', ttl, 'NX')
    } else if (typeof candidate?.sendCommand === 'function') {
      const node = candidate as NodeRedisLike
      this.#set = (key, ttl) => node.sendCommand(['SET', key, '1', 'EX', String(ttl), 'NX'])
    } else {
      throw new TypeError('RedisReplayStore needs an ioredis client or a node-redis client (redis v4 or v5)')
    }
    this.#prefix = prefix
    this.#timeoutMs = timeoutMs
  }

  /** Resolves `true` when this call set the key, `false` when it already existed; rejects when Redis cannot answer in time. */
  async claim(key: string, ttlSeconds: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(ttlSeconds))
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${this.#timeoutMs} ms`)), this.#timeoutMs)
      // A pending claim must not keep a process alive on its own.
      if (typeof timer === 'object' && 'unref' in timer) timer.unref()
    })
    try {
      const reply = await Promise.race([this.#set(this.#prefix + key, ttl), timeout])
      if (reply === 'OK') return true
      if (reply === null) return false
      throw new Error(`unexpected reply to SET NX: ${typeof reply}`)
    } finally {
      clearTimeout(timer)
    }
  }
}
