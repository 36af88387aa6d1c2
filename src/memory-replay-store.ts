import type { ReplayStore } from './verify.js'

/** Options of {@link MemoryReplayStore}. */
export interface MemoryReplayStoreOptions {
  /** The most deliveries remembered at once; past it the oldest is forgotten first. Default 100,000. */
  maxEntries?: number
  /** The clock, Unix seconds. Default the system clock. */
  now?: () => number
}

const DEFAULT_MAX_ENTRIES = 100_000

/**
 * Remembers accepted deliveries in this process, so a replay inside the
 * tolerance window is refused. Bounded (the oldest entry is evicted first),
 * each entry expires after its TTL, every claim is O(1), and no timer keeps
 * the process alive. For a receiver on several machines, use the
 * `RedisReplayStore` from `@tragentics/webhooks/redis`.
 *
 * @param options - `maxEntries` (default 100,000, about 20 MB when full), `now` (default the system clock)
 * @throws {TypeError} when `maxEntries` is not a positive integer
 * @example
 * const verifier = createVerifier({ secret, replayStore: new MemoryReplayStore() })
 */
export class MemoryReplayStore implements ReplayStore {
  // A Map from key to its slot in a ring of slots kept in claim order. A Map
  // alone would do as a queue only in appearance: V8 walks over deleted
  // entries when iterating from the front, which makes evicting O(n).
  readonly #slots = new Map<string, number>()
  readonly #keys: (string | undefined)[]
  readonly #expiries: Float64Array
  readonly #now: () => number
  #head = 0
  #count = 0

  constructor(options: MemoryReplayStoreOptions = {}) {
    const { maxEntries = DEFAULT_MAX_ENTRIES, now = () => Date.now() / 1000 } = options
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError(`maxEntries must be a positive integer, got ${String(maxEntries)}`)
    }
    if (typeof now !== 'function') throw new TypeError('now must be a function returning Unix seconds')
    this.#keys = new Array<string | undefined>(maxEntries)
    this.#expiries = new Float64Array(maxEntries)
    this.#now = now
  }

  /** How many deliveries are remembered now, expired ones not yet dropped included. */
  get size(): number {
    return this.#slots.size
  }

  /**
   * Resolves `true` the first time `key` is seen within `ttlSeconds`, `false`
   * after. The check and the record are one synchronous step, so of several
   * concurrent claims of one key exactly one wins.
   */
  claim(key: string, ttlSeconds: number): Promise<boolean> {
    const now = this.#now()
    const slot = this.#slots.get(key)
    if (slot !== undefined) {
      if ((this.#expiries[slot] as number) > now) return Promise.resolve(false)
      this.#keys[slot] = undefined // expired: its slot is left empty, and the key claimed anew
    }
    // Up to two expired (or emptied) slots dropped from the old end per claim, and one when full.
    for (let i = 0; i < 2 && this.#count > 0 && this.#headIsStale(now); i++) this.#dropHead()
    if (this.#count === this.#keys.length) this.#dropHead()
    const tail = (this.#head + this.#count) % this.#keys.length
    this.#keys[tail] = key
    this.#expiries[tail] = now + ttlSeconds
    this.#slots.set(key, tail)
    this.#count++
    return Promise.resolve(true)
  }

  #headIsStale(now: number): boolean {
    return this.#keys[this.#head] === undefined || (this.#expiries[this.#head] as number) <= now
  }

  #dropHead(): void {
    const key = this.#keys[this.#head]
    if (key !== undefined) this.#slots.delete(key)
    this.#keys[this.#head] = undefined
    this.#head = (this.#head + 1) % this.#keys.length
    this.#count--
  }
}
