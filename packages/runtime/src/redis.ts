import { Redis, type RedisOptions } from 'ioredis';

export { Redis } from 'ioredis';

/**
 * A Redis connection. `role: 'worker'` is for BullMQ workers (blocking commands, retried forever);
 * `role: 'producer'` fails fast when Redis is down (no offline queue) so callers can fall back (e.g. the spool), and
 * auto-pipelines: the commands of one event-loop turn (the admission scripts of one request, the settles of requests
 * ending together) go out in one write and come back in one read.
 */
export function createRedis(url: string, role: 'worker' | 'producer' | 'client', name: string): Redis {
  const options: RedisOptions = {
    connectionName: name,
    lazyConnect: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  };
  if (role === 'worker') options.maxRetriesPerRequest = null;
  if (role === 'producer') {
    options.maxRetriesPerRequest = 1;
    options.enableOfflineQueue = false;
    options.enableAutoPipelining = true;
  }
  const redis = new Redis(url, options);
  redis.on('error', () => {
    // Connection errors are retried by ioredis; callers observe `status` and command failures instead.
  });
  return redis;
}
