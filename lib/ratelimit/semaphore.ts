import type { LimiterRedis } from './commands';

export interface LeaseDecision {
  acquired: boolean;
  /** Milliseconds until the earliest lease expires; 0 when acquired. */
  waitMs: number;
}

/**
 * Acquires one of `limit` leases of the semaphore at `key` for `leaseMs`. A holder that dies
 * without releasing loses its lease when it expires. Throws on Redis errors.
 */
export async function acquireLease(redis: LimiterRedis, key: string, limit: number, token: string, leaseMs: number): Promise<LeaseDecision> {
  const [acquired, waitMs] = await redis.sluiceAcquireLease(key, limit, token, leaseMs);
  return { acquired: acquired === 1, waitMs: Number(waitMs) };
}

/** Releases a lease; returns false when it had already expired. Throws on Redis errors. */
export async function releaseLease(redis: LimiterRedis, key: string, token: string): Promise<boolean> {
  return (await redis.sluiceReleaseLease(key, token)) === 1;
}
