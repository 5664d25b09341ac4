import { RedisFailurePolicy, type QueueDefinition } from '../queues/definitions';
import { whenRedisReady } from '../clients/redis';
import type { LimiterRedis } from './commands';
import type { RedisFailureLog } from './decision-log';
import type { ResolvedLimits } from './limits';
import { acquireLease, releaseLease } from './semaphore';
import { takeToken } from './token-bucket';

/** How long a job waits under fail-closed after a failed Redis call, before it is sent again. */
export const REDIS_FAILURE_RETRY_MS = 5_000;
/** A job that finds its key's concurrency full tries again after at most this long. */
const CONCURRENCY_RETRY_MAX_MS = 5_000;
const CONCURRENCY_RETRY_MIN_MS = 1_000;

export type Admission =
  | { admitted: true; /** Releases the concurrency leases taken; never throws. */ release: () => Promise<void> }
  | { admitted: false; waitMs: number; reason: string };

export interface AdmitOptions {
  queue: QueueDefinition;
  /** Identifies this attempt's semaphore leases. */
  leaseToken: string;
  /** Lease duration: a holder that dies frees its slot after this long. */
  leaseMs: number;
  /**
   * Waits shorter than this are slept through in the function instead of sending the job back to
   * SQS, because SQS delays have whole-second granularity and a bounce costs a receive.
   */
  maxInlineWaitMs: number;
  redisFailures: RedisFailureLog;
  /** How long to wait for a connecting Redis client before treating Redis as failed. */
  readyTimeoutMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes one token from each rate limit, accepting tokens that will exist within the inline wait
 * budget and sleeping until they do. Returns the wait of the first limit that denies.
 */
async function takeRateTokens(redis: LimiterRedis, limits: ResolvedLimits, options: AdmitOptions): Promise<{ waitMs: number; limit: string } | null> {
  let inlineBudgetMs = Math.floor(options.maxInlineWaitMs);
  for (const limit of limits.rate) {
    const settings = { capacity: limit.definition.burst, ratePerSecond: limit.definition.ratePerSecond };
    const decision = await takeToken(redis, limit.bucketKey, settings, 1, inlineBudgetMs);
    if (!decision.allowed) {
      return { waitMs: decision.waitMs, limit: limit.definition.name };
    }
    if (decision.waitMs > 0) {
      inlineBudgetMs -= decision.waitMs;
      await sleep(decision.waitMs);
    }
  }
  return null;
}

/**
 * Decides whether a job may run now under its queue's limits: one token from every rate limit
 * that applies, then a lease from every concurrency limit. A job that may not run gets the wait
 * after which to try again; the caller sends it back without spending an attempt. When Redis
 * fails, the queue's `onRedisError` policy decides, and the decision is logged (rate-limited).
 * Tokens taken before a later limit denies are not returned.
 */
export async function admitJob(redis: LimiterRedis, limits: ResolvedLimits, options: AdmitOptions): Promise<Admission> {
  const heldSemaphoreKeys: string[] = [];
  const release = async () => {
    await Promise.all(heldSemaphoreKeys.map((key) => releaseLease(redis, key, options.leaseToken).catch(() => false)));
  };

  try {
    await whenRedisReady(redis, options.readyTimeoutMs);
    const denied = await takeRateTokens(redis, limits, options);
    if (denied) {
      return { admitted: false, waitMs: denied.waitMs, reason: `rate limit ${denied.limit}` };
    }
    for (const limit of limits.concurrency) {
      const decision = await acquireLease(redis, limit.semaphoreKey, limit.definition.limit, options.leaseToken, options.leaseMs);
      if (!decision.acquired) {
        await release();
        const waitMs = Math.min(CONCURRENCY_RETRY_MAX_MS, Math.max(CONCURRENCY_RETRY_MIN_MS, decision.waitMs));
        return { admitted: false, waitMs, reason: `concurrency limit ${limit.definition.name}` };
      }
      heldSemaphoreKeys.push(limit.semaphoreKey);
    }
    return { admitted: true, release };
  } catch (error) {
    await release();
    if (options.queue.onRedisError === RedisFailurePolicy.failOpen) {
      options.redisFailures.record(options.queue.name, 'fail-open: the job runs without its limits', error);
      return { admitted: true, release: async () => {} };
    }
    options.redisFailures.record(options.queue.name, `fail-closed: the job is sent back for ${REDIS_FAILURE_RETRY_MS} ms`, error);
    return { admitted: false, waitMs: REDIS_FAILURE_RETRY_MS, reason: 'limiter unavailable' };
  }
}
