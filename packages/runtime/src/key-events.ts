import { redisChannel } from '@ollama-gateway/contracts';
import type { Redis } from 'ioredis';
import { Redis as RedisClient } from 'ioredis';

/**
 * Tells every gateway that a key changed (revoked, expired, limits edited): each one evicts it from its auth cache
 * at once. Returns how many gateways received it.
 */
export async function publishKeyChanged(redis: Redis, prefix: string, keyId: string): Promise<number> {
  return redis.publish(redisChannel(prefix, 'keyChanged'), keyId);
}

/**
 * For one-shot callers (gatewayctl): connects, publishes, disconnects, never waits longer than `timeoutMs`. Throws
 * when Redis cannot be reached (the gateways then notice within their key cache TTL).
 */
export async function notifyKeyChanged(
  url: string,
  prefix: string,
  keyId: string,
  timeoutMs = 2000,
): Promise<number> {
  const redis = new RedisClient(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    connectionName: 'key-events-publisher',
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await publishKeyChanged(redis, prefix, keyId);
  } finally {
    redis.disconnect();
  }
}

/**
 * Subscribes `subscriber` (a connection used for nothing else: a subscribed ioredis connection cannot run other
 * commands) to key changes. ioredis resubscribes after a reconnect on its own.
 */
export async function subscribeKeyChanged(
  subscriber: Redis,
  prefix: string,
  onKeyChanged: (keyId: string) => void,
): Promise<void> {
  const channel = redisChannel(prefix, 'keyChanged');
  subscriber.on('message', (received: string, message: string) => {
    if (received === channel && message) onKeyChanged(message);
  });
  await subscriber.subscribe(channel);
}
