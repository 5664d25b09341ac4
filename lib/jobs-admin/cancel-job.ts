import type { Services } from '../clients';
import { ConflictError } from '../errors';
import { toPublicJob, type PublicJob } from '../jobs/job';
import { logger } from '../observability/logger';
import { cancelJob, findJob } from '../store/job-store';
import { jobNotFound, refreshStatusCache } from './common';

/**
 * Cancels a job that has not started (`queued` or `delayed`) and returns it. A message already
 * in SQS for it is skipped by the worker. Throws `NotFoundError` for an unknown id and
 * {@link ConflictError} when the job has started or finished.
 */
export async function cancelJobById(services: Services, id: string, now = new Date()): Promise<PublicJob> {
  const cancelled = await cancelJob(services.jobs, id, now, services.config.SLUICE_COMPLETED_RETENTION_SECONDS);
  if (!cancelled) {
    const job = await findJob(services.jobs, id);
    if (!job) {
      throw jobNotFound(id);
    }
    throw new ConflictError(`job ${JSON.stringify(id)} is ${job.state}; only a job that has not started (queued or delayed) can be cancelled`, {
      jobId: id,
      operation: 'cancel',
    });
  }
  logger.info('job cancelled', { jobId: id, queue: cancelled.queue, type: cancelled.type, attempt: cancelled.attempts });
  await refreshStatusCache(services, cancelled);
  return toPublicJob(cancelled);
}
