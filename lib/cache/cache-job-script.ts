/**
 * Stores a job's JSON unless the cache already contains a newer version of it, so an older write
 * that arrives late cannot overwrite a newer state.
 *
 * KEYS[1]  the job's cache key (a hash with fields `version` and `json`)
 * ARGV[1]  the job's version (integer)
 * ARGV[2]  the job as JSON
 * ARGV[3]  time to live in seconds
 * Reply: 1 when stored, 0 when the cached version is the same or newer.
 */
export const CACHE_JOB_IF_NEWER_LUA = `
local cached = redis.call('HGET', KEYS[1], 'version')
if cached and tonumber(cached) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'json', ARGV[2])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
`;
