import { describe, expect, it } from 'vitest'
import { createVerifier, MemoryReplayStore, sign } from '@tragentics/webhooks'

function clockAt(start: number) {
  const clock = { now: start, tick: (s: number) => (clock.now += s) }
  return clock
}

describe('MemoryReplayStore', () => {
  it('wins the first claim of a key and loses every later one inside the TTL', async () => {
    const store = new MemoryReplayStore()
    expect(await store.claim('a', 60)).toBe(true)
    expect(await store.claim('a', 60)).toBe(false)
    expect(await store.claim('b', 60)).toBe(true)
  })

  it('forgets a key once its TTL has passed, by the clock it was given', async () => {
    const clock = clockAt(1_000)
    const store = new MemoryReplayStore({ now: () => clock.now })
    expect(await store.claim('a', 10)).toBe(true)
    clock.tick(9.999)
    expect(await store.claim('a', 10)).toBe(false)
    clock.tick(0.001)
    expect(await store.claim('a', 10)).toBe(true)
  })

  it('stays within maxEntries, evicting the oldest first', async () => {
    const store = new MemoryReplayStore({ maxEntries: 3 })
    for (const key of ['a', 'b', 'c', 'd']) expect(await store.claim(key, 60)).toBe(true)
    expect(store.size).toBe(3)
    expect(await store.claim('a', 60)).toBe(true) // evicted, so new again (and b goes)
    expect(await store.claim('c', 60)).toBe(false)
    expect(await store.claim('d', 60)).toBe(false)
    expect(store.size).toBe(3)
  })

  it('drops expired entries as it goes, so memory follows what is live', async () => {
    const clock = clockAt(0)
    const store = new MemoryReplayStore({ now: () => clock.now })
    for (let i = 0; i < 1000; i++) await store.claim(`old-${i}`, 5)
    clock.tick(10)
    for (let i = 0; i < 1000; i++) await store.claim(`new-${i}`, 5)
    expect(store.size).toBeLessThanOrEqual(1000 + 1)
  })

  it('lets exactly one of many concurrent claims of a key win', async () => {
    const store = new MemoryReplayStore()
    const results = await Promise.all(Array.from({ length: 100 }, () => store.claim('same', 60)))
    expect(results.filter(Boolean)).toHaveLength(1)
  })

  it('does one constant amount of work per claim at the bound', async () => {
    const store = new MemoryReplayStore({ maxEntries: 50_000 })
    for (let i = 0; i < 200_000; i++) await store.claim(`k${i}`, 600)
    expect(store.size).toBe(50_000)
  })

  it.each([0, -1, 1.5, Number.NaN])('refuses maxEntries %s', (maxEntries) => {
    expect(() => new MemoryReplayStore({ maxEntries })).toThrow(TypeError)
  })

  it('refuses a replayed delivery through a verifier, and only after the signature and window passed', async () => {
    const store = new MemoryReplayStore()
    const body = '{"id":"evt_1"}'
    const header = await sign(body, 'whsec_a', { timestamp: 1000 })
    const verifier = createVerifier({ secret: 'whsec_a', now: 1000, replayStore: store })
    await expect(verifier.verify(body, header)).resolves.toMatchObject({ timestamp: 1000 })
    await expect(verifier.verify(body, header)).rejects.toMatchObject({ code: 'replayed_signature', status: 401 })
    const stale = createVerifier({ secret: 'whsec_a', now: 2000, replayStore: store })
    await expect(stale.verify('{"id":"evt_2"}', await sign('{"id":"evt_2"}', 'whsec_a', { timestamp: 1000 }))).rejects.toMatchObject({ code: 'timestamp_out_of_tolerance' })
    expect(store.size).toBe(1)
  })
})
