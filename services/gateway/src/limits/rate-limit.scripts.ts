/**
 * The two Lua scripts behind the per-key rate limits: one EVALSHA per admit, one per settle, so every check-and-take
 * is atomic across any number of gateway processes sharing Redis. Time is Redis's own clock (`TIME`), so replicas
 * with skewed clocks still share one window. Every step is O(log n) in the requests of the window, or O(k) in the
 * entries it retires: nothing reads the whole window per request (a key at 1,000 req/s holds 60,000 entries), only
 * a refusal for tokens walks the token log to say when enough will have left.
 *
 * Keys (all for one API key, hash-tagged by key id, every one given a PEXPIRE on each write):
 *   KEYS[1] requests   sorted set: request id → admission time (ms). RPM = members in the last 60 s (exact sliding log).
 *   KEYS[2] in-flight  sorted set: request id → lease expiry (ms). Concurrency = its size; a crashed gateway's entries
 *                      lapse at their lease expiry, so slots and held tokens cannot leak forever.
 *   KEYS[3] token log  sorted set: request id → settle time (ms) of requests that finished in the last 60 s.
 *   KEYS[4] tokens     hash: request id → tokens (the held estimate while in flight, the real count once settled),
 *                      and TOTAL_FIELD → their sum, kept in step by every write: TPM used = that sum (settled tokens
 *                      of the last 60 s + estimates in flight).
 */

/** The field of the tokens hash holding the sum of the others (request ids never start with '#'). */
export const TOTAL_FIELD = '#total';

const COMMON = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local TOTAL = '${TOTAL_FIELD}'
local function addTotal(delta)
  if delta ~= 0 then redis.call('HINCRBY', KEYS[4], TOTAL, delta) end
end
-- Removes the token entries of these ids and takes their sum off the total.
local function dropTokens(ids)
  local freed = 0
  for i = 1, #ids, 500 do
    local last = math.min(i + 499, #ids)
    local values = redis.call('HMGET', KEYS[4], unpack(ids, i, last))
    for j = 1, #values do freed = freed + (tonumber(values[j]) or 0) end
    redis.call('HDEL', KEYS[4], unpack(ids, i, last))
  end
  addTotal(-freed)
end
local function expireBelow(zkey, upto)
  local gone = redis.call('ZRANGEBYSCORE', zkey, '-inf', upto)
  if #gone > 0 then
    dropTokens(gone)
    redis.call('ZREMRANGEBYSCORE', zkey, '-inf', upto)
  end
end
local function touch(ttl)
  for i = 1, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
end
`;

/**
 * ARGV: request id, rpm, tpm, concurrency (-1 = unlimited), tokens to hold, window ms, lease ms.
 * Returns {allowed 1|0, refusal reason or '', retry ms, requests used, requests reset ms, tokens used, tokens reset ms}.
 */
export const ADMIT_SCRIPT = `${COMMON}
local id = ARGV[1]
local rpm = tonumber(ARGV[2])
local tpm = tonumber(ARGV[3])
local conc = tonumber(ARGV[4])
local held = tonumber(ARGV[5])
local window = tonumber(ARGV[6])
local lease = tonumber(ARGV[7])
local since = now - window

redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', since)
expireBelow(KEYS[3], since)
expireBelow(KEYS[2], now)

local requests = redis.call('ZCARD', KEYS[1])
local function requestsReset()
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #oldest == 0 then return 0 end
  return tonumber(oldest[2]) + window - now
end

local tokens = 0
if tpm >= 0 then tokens = tonumber(redis.call('HGET', KEYS[4], TOTAL) or '0') end
local function tokensReset()
  if tpm < 0 then return 0 end
  local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
  if #oldest == 0 then return 0 end
  return tonumber(oldest[2]) + window - now
end

if rpm >= 0 and requests >= rpm then
  local retry = window
  if requests > 0 then retry = requestsReset() end
  return {0, 'requests', retry, requests, requestsReset(), tokens, tokensReset()}
end
if conc >= 0 and redis.call('ZCARD', KEYS[2]) >= conc then
  return {0, 'concurrency', 1000, requests, requestsReset(), tokens, tokensReset()}
end
if tpm >= 0 and tokens + held > tpm then
  -- When will enough settled tokens leave the window? (Tokens still in flight: unknown, retry in a second.)
  local retry = 1000
  local freed = 0
  local settled = redis.call('ZRANGE', KEYS[3], 0, -1, 'WITHSCORES')
  for i = 1, #settled, 2 do
    freed = freed + tonumber(redis.call('HGET', KEYS[4], settled[i]) or '0')
    if tokens - freed + held <= tpm then
      retry = tonumber(settled[i + 1]) + window - now
      break
    end
  end
  return {0, 'tokens', retry, requests, requestsReset(), tokens, tokensReset()}
end

if rpm >= 0 then
  redis.call('ZADD', KEYS[1], now, id)
  requests = requests + 1
end
if conc >= 0 or tpm >= 0 then redis.call('ZADD', KEYS[2], now + lease, id) end
if tpm >= 0 then
  local before = tonumber(redis.call('HGET', KEYS[4], id) or '0')
  redis.call('HSET', KEYS[4], id, held)
  addTotal(held - before)
  tokens = tokens + held - before
end
touch(window + lease + 1000)
return {1, '', 0, requests, requestsReset(), tokens, tokensReset()}
`;

/** ARGV: request id, real tokens, tracks tokens (1|0), window ms, lease ms. Releases the slot, books real tokens. */
export const SETTLE_SCRIPT = `${COMMON}
local id = ARGV[1]
local used = tonumber(ARGV[2])
local window = tonumber(ARGV[4])
local lease = tonumber(ARGV[5])
redis.call('ZREM', KEYS[2], id)
if ARGV[3] == '1' then
  if used > 0 then
    local before = tonumber(redis.call('HGET', KEYS[4], id) or '0')
    redis.call('HSET', KEYS[4], id, used)
    addTotal(used - before)
    redis.call('ZADD', KEYS[3], now, id)
  else
    dropTokens({id})
    redis.call('ZREM', KEYS[3], id)
  end
end
touch(window + lease + 1000)
return 1
`;
