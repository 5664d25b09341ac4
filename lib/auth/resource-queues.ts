import type { Services } from '../clients';
import { jobNotFound } from '../jobs-admin/common';
import { getSchedule } from '../schedules/schedules';
import { findJob } from '../store/job-store';

/** Returns the queue of job `id`, to check a key's grants before acting on it. Throws `NotFoundError`. */
export async function queueOfJob(services: Services, id: string): Promise<string> {
  const job = await findJob(services.jobs, id);
  if (!job) {
    throw jobNotFound(id);
  }
  return job.queue;
}

/** Returns the queue of schedule `id`, to check a key's grants before acting on it. Throws `NotFoundError`. */
export async function queueOfSchedule(services: Services, id: string): Promise<string> {
  return (await getSchedule(services, id)).queue;
}
