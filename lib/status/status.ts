import type { Services } from '../clients';
import { NotFoundError } from '../errors';
import { toPublicJob, type PublicJob } from '../jobs/job';
import type { QueueList, QueueStats } from '../api/response-schemas';
import { describeError, logger } from '../observability/logger';
import { findJob } from '../store/job-store';
import { aggregateQueueStats } from '../store/queue-stats';
import { countFinishedPerMinute } from '../store/throughput';

/** Minutes of throughput that queue statistics cover. */
export const THROUGHPUT_MINUTES = 60;
const MINUTE_MS = 60_000;

/**
 * Returns a job's public view from the status cache, or from MongoDB on a miss or a Redis error
 * (refilling the cache). Throws {@link NotFoundError} when no job has this id.
 */
export async function getJobStatus(services: Services, jobId: string): Promise<PublicJob> {
  try {
    const cached = await services.statusCache.get(jobId);
    if (cached) {
      return cached;
    }
  } catch (error) {
    logger.warn('status cache read failed; reading MongoDB', { jobId, error: describeError(error) });
  }
  const job = await findJob(services.jobs, jobId);
  if (!job) {
    throw new NotFoundError(`job ${JSON.stringify(jobId)} not found; check the id returned when it was enqueued`, { jobId });
  }
  // Not awaited: the caller gets its answer without waiting for the cache.
  void services.statusCache.putQuietly([job], logger);
  return toPublicJob(job);
}

export type { QueueList, QueueStats } from '../api/response-schemas';

/**
 * Returns a queue's statistics from the stats cache, or aggregates them from MongoDB on a miss or
 * a Redis error and caches them: counts by state, recent completions and failures, the oldest
 * waiting job, and jobs finished per minute over the last hour. Throws {@link NotFoundError} for
 * an undefined queue.
 */
export async function getQueueStats(services: Services, queueName: string, now = new Date()): Promise<QueueStats> {
  const queue = services.queues.get(queueName);
  try {
    const cached = await services.statsCache.get(queue.name);
    if (cached) {
      return cached;
    }
  } catch (error) {
    logger.warn('stats cache read failed; aggregating from MongoDB', { queue: queue.name, error: describeError(error) });
  }
  const currentMinute = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
  const firstMinute = currentMinute - (THROUGHPUT_MINUTES - 1) * MINUTE_MS;
  const [figures, finished] = await Promise.all([
    aggregateQueueStats(services.jobs, queue.name, now),
    countFinishedPerMinute(services.jobs, queue.name, new Date(firstMinute)),
  ]);

  const byMinute = new Map(finished.map((row) => [row.minute.getTime(), row]));
  const buckets = Array.from({ length: THROUGHPUT_MINUTES }, (_, index) => {
    const start = firstMinute + index * MINUTE_MS;
    const row = byMinute.get(start);
    return { start: new Date(start).toISOString(), completed: row?.completed ?? 0, dead: row?.dead ?? 0 };
  });
  const stats: QueueStats = {
    queue: queue.name,
    ...figures,
    throughput: { bucketSeconds: MINUTE_MS / 1000, buckets },
    computedAt: now.toISOString(),
  };
  await services.statsCache.putQuietly(queue.name, stats, logger);
  return stats;
}

/** Lists the queues this deployment defines, in definition order. */
export function listQueues(services: Services): QueueList {
  return {
    queues: services.queues.definitions.map((queue) => ({
      name: queue.name,
      priorityLanes: queue.channels.flatMap((channel) => (channel.lane === null ? [] : [channel.lane])),
      maxConcurrency: queue.maxConcurrency,
      timeoutSeconds: queue.timeoutSeconds,
    })),
  };
}
