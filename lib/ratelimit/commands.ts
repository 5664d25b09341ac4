import type { RedisClient } from '../clients/redis';
import { ACQUIRE_LEASE_LUA, RELEASE_LEASE_LUA, RESERVE_SLOTS_LUA, TAKE_TOKEN_LUA } from './scripts';

/** The limiter's scripts as ioredis commands (EVALSHA, reloaded when a failover or SCRIPT FLUSH dropped them). */
export interface LimiterCommands {
  sluiceTakeToken(key: string, capacity: number, ratePerSecond: number, cost: number, maxWaitMs: number): Promise<[number, string, number]>;
  sluiceReserveSlots(key: string, capacity: number, ratePerSecond: number, count: number): Promise<[string, string]>;
  sluiceAcquireLease(key: string, limit: number, token: string, leaseMs: number): Promise<[number, number]>;
  sluiceReleaseLease(key: string, token: string): Promise<number>;
}

export type LimiterRedis = RedisClient & LimiterCommands;

const registered = new WeakSet<object>();

/** Registers the limiter's scripts on `redis` (once per client) and returns it with their commands. */
export function withLimiterCommands(redis: RedisClient): LimiterRedis {
  if (!registered.has(redis)) {
    redis.defineCommand('sluiceTakeToken', { numberOfKeys: 1, lua: TAKE_TOKEN_LUA });
    redis.defineCommand('sluiceReserveSlots', { numberOfKeys: 1, lua: RESERVE_SLOTS_LUA });
    redis.defineCommand('sluiceAcquireLease', { numberOfKeys: 1, lua: ACQUIRE_LEASE_LUA });
    redis.defineCommand('sluiceReleaseLease', { numberOfKeys: 1, lua: RELEASE_LEASE_LUA });
    registered.add(redis);
  }
  return redis as LimiterRedis;
}
