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

/** A pub/sub channel of REDIS_CHANNELS (see @ollama-gateway/contracts channels.ts). */
export type ChangeChannel = Parameters<typeof redisChannel>[1];

/** Publishes one change message on `channel`; returns how many gateways received it. */
export async function publishChange(
  redis: Redis,
  prefix: string,
  channel: ChangeChannel,
  message: string,
): Promise<number> {
  return redis.publish(redisChannel(prefix, channel), message);
}

/**
 * Tells every gateway that a customer's budget, soft limit, webhook, markup or plan changed (`*`: every customer,
 * e.g. a plan's quotas changed): each evicts it from its customer-limits cache at once.
 */
export async function publishCustomerChanged(
  redis: Redis,
  prefix: string,
  customerId: string,
): Promise<number> {
  return publishChange(redis, prefix, 'customerChanged', customerId);
}

/** Tells every gateway that a price changed (`model` or `*`): each re-reads its price list on the next request. */
export async function publishPricesChanged(redis: Redis, prefix: string, model = '*'): Promise<number> {
  return publishChange(redis, prefix, 'pricesChanged', model || '*');
}

/** One-shot publish for gatewayctl, like notifyKeyChanged (throws when Redis cannot be reached). */
export async function notifyChange(
  url: string,
  prefix: string,
  channel: ChangeChannel,
  message: string,
  timeoutMs = 2000,
): Promise<number> {
  const redis = new RedisClient(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    connectionName: 'change-events-publisher',
  });
  redis.on('error', () => {});
  try {
    await redis.connect();
    return await publishChange(redis, prefix, channel, message);
  } finally {
    redis.disconnect();
  }
}

export const notifyCustomerChanged = (url: string, prefix: string, customerId: string, timeoutMs?: number) =>
  notifyChange(url, prefix, 'customerChanged', customerId, timeoutMs);

export const notifyPricesChanged = (url: string, prefix: string, model = '*', timeoutMs?: number) =>
  notifyChange(url, prefix, 'pricesChanged', model || '*', timeoutMs);

/** Subscribes `subscriber` (a connection used only for pub/sub) to one change channel. */
export async function subscribeChange(
  subscriber: Redis,
  prefix: string,
  channel: ChangeChannel,
  onChange: (message: string) => void,
): Promise<void> {
  const name = redisChannel(prefix, channel);
  subscriber.on('message', (received: string, message: string) => {
    if (received === name && message) onChange(message);
  });
  await subscriber.subscribe(name);
}

/** Customer changes: `onCustomerChanged(customerId | '*')`. */
export const subscribeCustomerChanged = (
  subscriber: Redis,
  prefix: string,
  onCustomerChanged: (customerId: string) => void,
) => subscribeChange(subscriber, prefix, 'customerChanged', onCustomerChanged);

/** Price changes: `onPricesChanged(model | '*')`. */
export const subscribePricesChanged = (
  subscriber: Redis,
  prefix: string,
  onPricesChanged: (model: string) => void,
) => subscribeChange(subscriber, prefix, 'pricesChanged', onPricesChanged);
