import type { LimiterRedis } from './commands';

export interface BucketSettings {
  /** Tokens the bucket holds when full: the burst. */
  capacity: number;
  /** Tokens added per second; fractions allowed. */
  ratePerSecond: number;
}

export interface TokenDecision {
  allowed: boolean;
  /** Tokens left after this call, with fractions; negative while callers wait for tokens taken ahead. */
  tokensLeft: number;
  /**
   * Whole milliseconds until the tokens exist. When allowed, the caller starts only after this
   * wait (0 when the tokens existed); when denied, it tries again after it.
   */
  waitMs: number;
}

/**
 * Takes `cost` tokens from the bucket at `key` in one round trip. With `maxWaitMs` above 0 it also
 * takes tokens that will exist within that wait, and the caller must wait `waitMs` before it
 * starts. Throws on Redis errors.
 */
export async function takeToken(redis: LimiterRedis, key: string, settings: BucketSettings, cost = 1, maxWaitMs = 0): Promise<TokenDecision> {
  const [allowed, tokensLeft, waitMs] = await redis.sluiceTakeToken(key, settings.capacity, settings.ratePerSecond, cost, maxWaitMs);
  return { allowed: allowed === 1, tokensLeft: Number(tokensLeft), waitMs: Number(waitMs) };
}

/**
 * Reserves `count` consecutive slots of the limit at `key` and returns, for each, the
 * milliseconds from now until it starts (rounded up). Throws on Redis errors.
 */
export async function reserveSlots(redis: LimiterRedis, key: string, settings: BucketSettings, count: number): Promise<number[]> {
  const [firstMicros, intervalMicros] = await redis.sluiceReserveSlots(key, settings.capacity, settings.ratePerSecond, count);
  const first = Number(firstMicros);
  const interval = Number(intervalMicros);
  return Array.from({ length: count }, (_, index) => Math.max(0, Math.ceil((first + index * interval) / 1000)));
}
