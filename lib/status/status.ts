import type { Services } from '../clients';
import { NotFoundError } from '../errors';
import { toPublicJob, type PublicJob } from '../jobs/job';
import type { QueueStats } from '../api/response-schemas';
import { describeError, logger } from '../observability/logger';
import { countJobsByState, findJob } from '../store/job-store';

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

export type { QueueStats } from '../api/response-schemas';

/** Counts a queue's jobs by state. Throws {@link NotFoundError} for an undefined queue. */
export async function getQueueStats(services: Services, queueName: string): Promise<QueueStats> {
  const queue = services.queues.get(queueName);
  const counts = await countJobsByState(services.jobs, queue.name);
  return { queue: queue.name, counts, total: Object.values(counts).reduce((sum, count) => sum + count, 0) };
}
