import { createHash } from 'node:crypto';
import { serviceUnavailable } from '@ollama-gateway/runtime';
import type { Redis } from 'ioredis';

/**
 * Lua scripts for budgets and plan quotas. Each runs atomically in Redis, so concurrent requests on any number of
 * gateway processes see one consistent counter. Amounts are integer nano-units (exact up to 2^53 ≈ 9 million
 * currency units, the precision of Lua numbers). Every key written gets a TTL.
 */

/**
 * Reserve against a budget. KEYS[1] counter (spent + reserved, nano). ARGV: reserve, budget, ttl seconds, seed
 * ('' = none). Returns {-1, 0} when the counter is missing and no seed was given (the caller reads the ledger and
 * calls again), {0, current} when the reservation does not fit, {1, after} when it was taken.
 */
export const BUDGET_RESERVE = `
local current = redis.call('GET', KEYS[1])
if not current then
  if ARGV[4] == '' then return {-1, 0} end
  redis.call('SET', KEYS[1], ARGV[4], 'NX')
  current = redis.call('GET', KEYS[1])
end
redis.call('EXPIRE', KEYS[1], ARGV[3])
if tonumber(current) + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return {0, tonumber(current)} end
return {1, redis.call('INCRBY', KEYS[1], ARGV[1])}
`;

/**
 * Replace a reservation with the real amount. KEYS[1] counter; ARGV: delta (real − reserved, may be negative), ttl.
 * A counter that no longer exists is not recreated (the next request seeds it from the ledger, which includes this
 * request). Returns the new value, or -1.
 */
export const COUNTER_ADJUST = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local after = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return after
`;

/**
 * Plan quotas. KEYS[1] requests this month, KEYS[2] tokens this month. ARGV: request quota ('' = unlimited), token
 * quota ('' = unlimited), tokens to reserve, ttl, seed requests, seed tokens ('' = no seed). Returns {-1} when a
 * counter is missing and no seed was given, {0, 'requests'|'tokens', used} when refused, {1, requests, tokens}.
 */
export const QUOTA_ADMIT = `
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('EXISTS', KEYS[2]) == 0 then
  if ARGV[5] == '' then return {-1} end
  redis.call('SET', KEYS[1], ARGV[5], 'NX')
  redis.call('SET', KEYS[2], ARGV[6], 'NX')
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
local requests = tonumber(redis.call('GET', KEYS[1]))
local tokens = tonumber(redis.call('GET', KEYS[2]))
if ARGV[1] ~= '' and requests + 1 > tonumber(ARGV[1]) then return {0, 'requests', requests} end
if ARGV[2] ~= '' and tokens + tonumber(ARGV[3]) > tonumber(ARGV[2]) then return {0, 'tokens', tokens} end
return {1, redis.call('INCR', KEYS[1]), redis.call('INCRBY', KEYS[2], ARGV[3])}
`;

const shas = new Map<string, string>();

/** EVALSHA, falling back to EVAL when the script is not cached yet (after a Redis restart too). */
export async function runScript(
  redis: Redis,
  script: string,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  let sha = shas.get(script);
  if (!sha) {
    sha = createHash('sha1').update(script).digest('hex');
    shas.set(script, sha);
  }
  try {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      return await redis.eval(script, keys.length, ...keys, ...args);
    }
  } catch (error) {
    // Budgets and quotas cannot be enforced without Redis: refuse clearly (fail closed) rather than overspend.
    throw serviceUnavailable('Budget and quota checks are unavailable right now. Please retry shortly.', {
      code: 'limits_unavailable',
      retryAfterSeconds: 5,
      cause: error,
    });
  }
}
