import type { Logger } from '@aws-lambda-powertools/logger';
import type { QueueDefinition } from '../queues/definitions';
import { whenRedisReady } from '../clients/redis';
import type { LimiterRedis } from './commands';
import { resolveLimits, type LimitedJob } from './limits';
import { reserveSlots } from './token-bucket';

export interface PlannedSend<Job extends LimitedJob> {
  job: Job;
  /** Delay the job needs anyway (its own `runAt`), in milliseconds. */
  delayMs: number;
}

/**
 * Reserves a slot in each rate limit for every job about to be sent, and returns each job's send
 * delay: the later of its own delay and its slots. Jobs sent this way arrive when their tokens
 * exist, so under a backlog far above a limit they rarely bounce off it (the process function
 * still takes the token). Jobs of one bucket are reserved in one call. When Redis fails, the jobs
 * keep their own delays and the run-time check alone enforces the limit.
 */
export async function reserveSendDelays<Job extends LimitedJob>(
  redis: LimiterRedis,
  queue: QueueDefinition,
  sends: PlannedSend<Job>[],
  logger: Logger,
  readyTimeoutMs: number,
): Promise<number[]> {
  const delays = sends.map((send) => send.delayMs);
  if (queue.rateLimits.length === 0) {
    return delays;
  }
  const byBucket = new Map<string, { limit: QueueDefinition['rateLimits'][number]; indexes: number[] }>();
  sends.forEach((send, index) => {
    let limits;
    try {
      limits = resolveLimits(queue, send.job);
    } catch {
      return; // A job without its key field was rejected at enqueue; leave its delay alone.
    }
    for (const limit of limits.rate) {
      const group = byBucket.get(limit.reservationKey) ?? { limit: limit.definition, indexes: [] };
      group.indexes.push(index);
      byBucket.set(limit.reservationKey, group);
    }
  });

  if (byBucket.size === 0) {
    return delays;
  }
  try {
    await whenRedisReady(redis, readyTimeoutMs);
    await Promise.all(
      [...byBucket.entries()].map(async ([key, group]) => {
        const slots = await reserveSlots(redis, key, { capacity: group.limit.burst, ratePerSecond: group.limit.ratePerSecond }, group.indexes.length);
        group.indexes.forEach((jobIndex, slotIndex) => {
          delays[jobIndex] = Math.max(delays[jobIndex] as number, slots[slotIndex] as number);
        });
      }),
    );
  } catch (error) {
    logger.warn('rate limit reservation failed; sending with the jobs own delays', {
      queue: queue.name,
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
    });
    return sends.map((send) => send.delayMs);
  }
  return delays;
}
