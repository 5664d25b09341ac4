import type { Services } from '../clients';
import { NotFoundError } from '../errors';
import type { JobDocument } from '../jobs/job';
import { describeError, logger } from '../observability/logger';

/** Writes the job's new state to the status cache. A Redis failure is logged and not raised, because MongoDB has the state. */
export async function refreshStatusCache(services: Services, job: JobDocument): Promise<void> {
  try {
    await services.statusCache.put(job);
  } catch (error) {
    logger.warn('status cache write failed', { jobId: job._id, error: describeError(error) });
  }
}

export function jobNotFound(id: string): NotFoundError {
  return new NotFoundError(`job ${JSON.stringify(id)} not found; check the id returned when it was enqueued`, { jobId: id });
}
