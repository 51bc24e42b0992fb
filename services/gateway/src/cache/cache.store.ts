import { createHash } from 'node:crypto';
import type { Redis } from '@ollama-gateway/runtime';

/** The limits a store enforces when it adds an entry. */
export interface CacheStoreLimits {
  ttlMs: number;
  maxEntries: number;
  maxTotalBytes: number;
}

/** Where cached answers live. `id` is a cache entry id (cache.key.ts); values are opaque strings. */
export interface ResponseCacheStore {
  /** The value, or null when absent or expired. One round trip. */
  get(id: string): Promise<string | null>;
  /** Stores a value for `ttlMs` and evicts the entries that expire first until the limits hold. One round trip. */
  put(id: string, value: string, limits: CacheStoreLimits): Promise<{ evicted: number }>;
}

/**
 * What one entry costs beyond its value, counted against `maxTotalBytes`: its key name three times (the string key,
 * the index member, the size field) and Redis's per-object overhead. An estimate, on the safe side.
 */
export const ENTRY_OVERHEAD_BYTES = 512;

/**
 * Adds an entry and keeps the cache within its limits, atomically.
 * KEYS: entry, index (sorted set: entry key → expiry ms), sizes (hash: entry key → bytes, plus field `#total`).
 * ARGV: value, ttl ms, now ms, max entries, max total bytes, overhead bytes per entry.
 * Expired entries (their values already gone) are forgotten, at most 64 per call; a replaced entry's old size is
 * subtracted; then while over either limit the entry expiring first is evicted (with one TTL for all entries: the
 * oldest, FIFO). Returns the number evicted. Entry keys are computed from the index, so this runs on a standalone
 * Redis (as every other script here), not across Redis Cluster slots.
 */
export const CACHE_PUT_SCRIPT = `
local entry, index, sizes = KEYS[1], KEYS[2], KEYS[3]
local ttl, now = tonumber(ARGV[2]), tonumber(ARGV[3])
local maxEntries, maxBytes = tonumber(ARGV[4]), tonumber(ARGV[5])
local size = string.len(ARGV[1]) + tonumber(ARGV[6])
local function forget(member)
  local old = tonumber(redis.call('HGET', sizes, member) or '0')
  redis.call('HDEL', sizes, member)
  redis.call('HINCRBY', sizes, '#total', -old)
  redis.call('ZREM', index, member)
end
for _, member in ipairs(redis.call('ZRANGEBYSCORE', index, '-inf', now, 'LIMIT', 0, 64)) do
  forget(member)
end
if redis.call('ZSCORE', index, entry) then forget(entry) end
redis.call('SET', entry, ARGV[1], 'PX', ttl)
redis.call('ZADD', index, now + ttl, entry)
redis.call('HSET', sizes, entry, size)
local total = redis.call('HINCRBY', sizes, '#total', size)
local evicted = 0
while redis.call('ZCARD', index) > maxEntries or total > maxBytes do
  local oldest = redis.call('ZPOPMIN', index)
  if #oldest == 0 then break end
  local member = oldest[1]
  local old = tonumber(redis.call('HGET', sizes, member) or '0')
  redis.call('HDEL', sizes, member)
  total = redis.call('HINCRBY', sizes, '#total', -old)
  redis.call('DEL', member)
  evicted = evicted + 1
end
return evicted
`;
const PUT_SHA = createHash('sha1').update(CACHE_PUT_SCRIPT).digest('hex');

/** Rejects when `promise` has not settled within `ms`: a slow Redis must not hold a request up (the cache fails open). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`response cache ${what} took longer than ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The Redis store: `<prefix>:e:<id>` string keys with a per-entry TTL, a capped index `<prefix>:index` and their
 * sizes in `<prefix>:sizes`. Memory stays under `maxTotalBytes` (plus the bookkeeping estimate) whatever Redis's own
 * maxmemory policy is, so the cache can share a Redis with the queues (which must never be evicted).
 */
export function createRedisCacheStore(options: {
  redis: Redis;
  /** e.g. `${QUEUE_PREFIX}:cache`; tests use a private one. */
  prefix: string;
  /** Longest a get or put may take before the request goes on without the cache. Default 1000 ms. */
  timeoutMs?: number;
  now?: () => number;
}): ResponseCacheStore {
  const { redis, prefix } = options;
  const timeoutMs = options.timeoutMs ?? 1000;
  const now = options.now ?? Date.now;
  const index = `${prefix}:index`;
  const sizes = `${prefix}:sizes`;
  const entryKey = (id: string) => `${prefix}:e:${id}`;

  const runPut = async (keys: string[], args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(PUT_SHA, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      return await redis.eval(CACHE_PUT_SCRIPT, keys.length, ...keys, ...args);
    }
  };

  return {
    get: (id) => within(redis.get(entryKey(id)), timeoutMs, 'read'),
    async put(id, value, limits) {
      const evicted = await within(
        runPut(
          [entryKey(id), index, sizes],
          [
            value,
            Math.max(1, Math.round(limits.ttlMs)),
            now(),
            limits.maxEntries,
            limits.maxTotalBytes,
            ENTRY_OVERHEAD_BYTES,
          ],
        ),
        timeoutMs,
        'write',
      );
      return { evicted: Number(evicted) };
    },
  };
}
