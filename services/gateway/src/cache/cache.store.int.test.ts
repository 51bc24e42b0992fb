import { createRedis, type Redis } from '@ollama-gateway/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisCacheStore, ENTRY_OVERHEAD_BYTES } from './cache.store.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
let redis: Redis;
let run = 0;

/** A store under a private prefix, with a clock the test moves (expiry in the index is by this clock). */
function setup() {
  const prefix = `test-cache-${process.pid}-${Date.now()}-${++run}`;
  let clock = Date.now();
  const store = createRedisCacheStore({ redis, prefix, now: () => clock });
  const total = async () => Number((await redis.hget(`${prefix}:sizes`, '#total')) ?? 0);
  const members = () => redis.zrange(`${prefix}:index`, 0, -1);
  return {
    prefix,
    store,
    total,
    members,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const big = { ttlMs: 60_000, maxEntries: 1000, maxTotalBytes: 10_000_000 };

beforeAll(() => {
  redis = createRedis(REDIS_URL, 'client', 'cache-store-test');
});
afterAll(async () => {
  const keys = await redis.keys(`test-cache-${process.pid}-*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('redis response cache store', () => {
  it('stores with a TTL and reads back in one GET', async () => {
    const { prefix, store } = setup();
    await store.put('v1:c:a:1', 'hello', big);
    expect(await store.get('v1:c:a:1')).toBe('hello');
    expect(await store.get('v1:c:a:2')).toBeNull();
    const ttl = await redis.pttl(`${prefix}:e:v1:c:a:1`);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('expires entries with Redis (short TTL)', async () => {
    const { store } = setup();
    await store.put('v1:c:a:short', 'soon gone', { ...big, ttlMs: 150 });
    expect(await store.get('v1:c:a:short')).toBe('soon gone');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await store.get('v1:c:a:short')).toBeNull();
  });

  it('caps the number of entries, evicting those that expire first', async () => {
    const { store, members, advance } = setup();
    const limits = { ...big, maxEntries: 3 };
    for (const n of [1, 2, 3, 4, 5]) {
      advance(1);
      await store.put(`v1:c:a:${n}`, `value ${n}`, limits);
    }
    expect(await store.get('v1:c:a:1')).toBeNull();
    expect(await store.get('v1:c:a:2')).toBeNull();
    expect(await store.get('v1:c:a:5')).toBe('value 5');
    expect(await members()).toHaveLength(3);
  });

  it('keeps the stored bytes (plus bookkeeping) under maxTotalBytes and counts replacements once', async () => {
    const { store, total, members, advance } = setup();
    const value = 'x'.repeat(1000);
    const cost = value.length + ENTRY_OVERHEAD_BYTES;
    const limits = { ...big, maxTotalBytes: cost * 3 };
    await store.put('v1:c:a:r', value, limits);
    await store.put('v1:c:a:r', value, limits); // a replacement: still one entry
    expect(await total()).toBe(cost);
    for (const n of [1, 2, 3]) {
      advance(1);
      await store.put(`v1:c:a:${n}`, value, limits);
    }
    expect(await total()).toBe(cost * 3);
    expect(await members()).toHaveLength(3);
    expect(await store.get('v1:c:a:r')).toBeNull();
    expect(await store.get('v1:c:a:3')).toBe(value);
  });

  it('forgets expired entries from its bookkeeping on the next write', async () => {
    const { store, total, members, advance } = setup();
    await store.put('v1:c:a:old', 'a', { ...big, ttlMs: 1000 });
    advance(2000);
    await store.put('v1:c:a:new', 'b', big);
    expect(await members()).toEqual([expect.stringMatching(/:e:v1:c:a:new$/)]);
    expect(await total()).toBe(1 + ENTRY_OVERHEAD_BYTES);
  });

  it('rejects (and the caller fails open) when Redis does not answer in time', async () => {
    const stalled = createRedisCacheStore({
      redis: { get: () => new Promise(() => {}) } as unknown as Redis,
      prefix: 'unused',
      timeoutMs: 50,
    });
    await expect(stalled.get('x')).rejects.toThrow(/longer than 50 ms/);
  });
});
