/**
 * Lua scripts of the rate limiter and the per-key semaphore. Each runs atomically in Redis and
 * touches only the keys it is given, and it reads the time from Redis `TIME`, never from the
 * caller, so clients with skewed clocks share one timeline. Numbers with fractions are returned
 * as strings, because Redis converts Lua numbers in replies to integers.
 */

/**
 * Token bucket: takes `cost` tokens when the bucket has them. A caller that accepts a wait may
 * take tokens that will exist within `max wait`: the bucket goes into debt and the caller must
 * start only after the returned wait, so callers queue in arrival order instead of polling.
 *
 * KEYS[1]  the bucket (hash: `tokens`, `ts` in microseconds)
 * ARGV[1]  capacity (burst), > 0
 * ARGV[2]  refill rate in tokens per second, > 0, fractions allowed
 * ARGV[3]  cost of this acquisition, > 0
 * ARGV[4]  max wait in milliseconds the caller accepts, >= 0 (0: take only existing tokens)
 * Reply: { allowed (1 or 0), tokens left (string, negative while in debt), wait in whole
 *          milliseconds until `cost` tokens exist, rounded up (when allowed: the time to wait
 *          before starting; when denied: the time to try again) }
 */
export const TAKE_TOKEN_LUA = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local max_wait_ms = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])

local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = capacity
  updated = now
end
local elapsed = math.max(0, now - updated)
tokens = math.min(capacity, tokens + elapsed * rate / 1000000)

local allowed = 0
local wait_ms = 0
if tokens < cost then
  wait_ms = math.ceil((cost - tokens) * 1000 / rate)
end
if wait_ms <= max_wait_ms then
  tokens = tokens - cost
  allowed = 1
end

redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%d', now))
-- Keep the bucket until it would be full again, plus a second.
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * 1000 / rate) + 1000)
return { allowed, string.format('%.17g', tokens), wait_ms }
`;

/**
 * Reservations (GCRA): gives `count` consecutive slots of a rate limit, each one emission interval
 * (1 / rate) after the previous, so jobs can be sent with a delay that lands each on its slot.
 * The first `capacity` slots of an idle limit are free at once, as in a full token bucket.
 *
 * KEYS[1]  the reservation state (string: theoretical arrival time in microseconds)
 * ARGV[1]  capacity (burst), >= 1
 * ARGV[2]  rate in slots per second, > 0, fractions allowed
 * ARGV[3]  count of slots to reserve, >= 1
 * Reply: { microseconds from now to the first slot, negative when it lies within the burst
 *          (string), microseconds between slots (string) }. Slot i starts
 *          max(0, first + i * interval) microseconds from now.
 */
export const RESERVE_SLOTS_LUA = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local count = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = 1000000 / rate
local tolerance = (capacity - 1) * interval

local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then
  tat = now
end
local first = tat - tolerance - now
local new_tat = tat + count * interval
redis.call('SET', KEYS[1], string.format('%.17g', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1000)
return { string.format('%.17g', first), string.format('%.17g', interval) }
`;

/**
 * Semaphore acquire: adds a lease unless `limit` unexpired leases exist. Expired leases (their
 * holder died) are dropped first.
 *
 * KEYS[1]  the semaphore (sorted set: member = lease token, score = expiry in milliseconds)
 * ARGV[1]  limit, >= 1
 * ARGV[2]  lease token
 * ARGV[3]  lease duration in milliseconds
 * Reply: { acquired (1 or 0), milliseconds until the earliest lease expires (0 when acquired) }
 */
export const ACQUIRE_LEASE_LUA = `
local limit = tonumber(ARGV[1])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < limit then
  local expiry = now + tonumber(ARGV[3])
  redis.call('ZADD', KEYS[1], expiry, ARGV[2])
  local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  redis.call('PEXPIREAT', KEYS[1], tonumber(latest[2]))
  return { 1, 0 }
end
local earliest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { 0, math.max(1, tonumber(earliest[2]) - now) }
`;

/**
 * Semaphore release: removes a lease.
 *
 * KEYS[1]  the semaphore
 * ARGV[1]  lease token
 * Reply: 1 when the lease was held, 0 when it had already expired or been released.
 */
export const RELEASE_LEASE_LUA = `
return redis.call('ZREM', KEYS[1], ARGV[1])
`;
