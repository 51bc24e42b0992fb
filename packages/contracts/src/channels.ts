/**
 * Redis pub/sub channels (each prefixed with QUEUE_PREFIX, e.g. `ogw:key-changed`). A message on `keyChanged` is one
 * API key id: every gateway evicts that key from its auth cache at once (revocation, expiry or limit changes).
 */
export const REDIS_CHANNELS = {
  keyChanged: 'key-changed',
} as const;

/** The full channel name for a stack's prefix. */
export const redisChannel = (prefix: string, channel: keyof typeof REDIS_CHANNELS): string =>
  `${prefix}:${REDIS_CHANNELS[channel]}`;
