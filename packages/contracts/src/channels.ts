/**
 * Redis pub/sub channels (each prefixed with QUEUE_PREFIX, e.g. `ogw:key-changed`). Every gateway subscribes and
 * evicts the matching in-process cache entries at once; the cache TTLs stay as the fallback if a message is lost.
 *
 * - `keyChanged`: one API key id (revocation, expiry or limit changes) → evicted from the auth cache.
 * - `customerChanged`: one customer id (budget, budget period, soft limit, webhook, markup, plan), or `*` for every
 *   customer (a plan's quotas changed) → evicted from the customer-limits cache of the budget and quota gates.
 * - `pricesChanged`: the model (or glob) whose price changed, or `*` → the gateway's price list is re-read.
 */
export const REDIS_CHANNELS = {
  keyChanged: 'key-changed',
  customerChanged: 'customer-changed',
  pricesChanged: 'prices-changed',
} as const;

/** The message on `customerChanged` / `pricesChanged` that means "all of them". */
export const ALL_CHANGED = '*';

/** The full channel name for a stack's prefix. */
export const redisChannel = (prefix: string, channel: keyof typeof REDIS_CHANNELS): string =>
  `${prefix}:${REDIS_CHANNELS[channel]}`;
