import type { Services } from '../clients';
import { NotFoundError } from '../errors';
import { toPublicJob, type PublicJob } from '../jobs/job';
import { describeError, logger } from '../observability/logger';
import { findJob } from '../store/job-store';
import { aggregateQueueStats, type QueueStatsFigures } from '../store/queue-stats';

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

/** The body of `GET /queues/{queue}/stats`. */
export interface QueueStats extends QueueStatsFigures {
  queue: string;
  /** When the figures were computed; cached figures are up to SLUICE_STATS_CACHE_TTL_SECONDS old. */
  computedAt: string;
}

/**
 * Returns a queue's statistics from the stats cache, or aggregates them from MongoDB on a miss or
 * a Redis error and caches them. Throws {@link NotFoundError} for an undefined queue.
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
  const figures = await aggregateQueueStats(services.jobs, queue.name, now);
  const stats: QueueStats = { queue: queue.name, ...figures, computedAt: now.toISOString() };
  await services.statsCache.putQuietly(queue.name, stats, logger);
  return stats;
}
