import type { Services } from '../clients';
import { NotFoundError } from '../errors';
import type { JobDocument } from '../jobs/job';
import { logger } from '../observability/logger';

/** Writes the job's new state to the status cache; a Redis failure is logged, not raised. */
export async function refreshStatusCache(services: Services, job: JobDocument): Promise<void> {
  await services.statusCache.putQuietly([job], logger);
}

export function jobNotFound(id: string): NotFoundError {
  return new NotFoundError(`job ${JSON.stringify(id)} not found; check the id returned when it was enqueued`, { jobId: id });
}
