import { z } from 'zod';
import type { Services } from '../clients';
import { sendDueJobs } from '../enqueue/enqueue';
import { ConflictError, InvalidRequestError } from '../errors';
import { toPublicJob, type PublicJob } from '../jobs/job';
import { MAX_ATTEMPTS_LIMIT, toFieldProblems } from '../jobs/request';
import { JobState } from '../jobs/states';
import { logger } from '../observability/logger';
import { findJob, retryDeadJob } from '../store/job-store';
import { jobNotFound, refreshStatusCache } from './common';

export const retryRequestSchema = z.strictObject(
  {
    maxAttempts: z
      .number({ error: `must be a JSON number from 1 to ${MAX_ATTEMPTS_LIMIT}: the attempts to add` })
      .int(`must be a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}`)
      .min(1, `must be at least 1 (at most ${MAX_ATTEMPTS_LIMIT})`)
      .max(MAX_ATTEMPTS_LIMIT, `must be at most ${MAX_ATTEMPTS_LIMIT}`)
      .optional(),
  },
  { error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object such as {"maxAttempts": 3}, or no body' : undefined) },
);

function conflict(id: string, state: JobState): ConflictError {
  return new ConflictError(`job ${JSON.stringify(id)} is ${state}; only a dead job can be retried`, { jobId: id, operation: 'retry' });
}

/**
 * Retries a `dead` job: it gets `maxAttempts` more attempts (from the optional body `{ maxAttempts }`,
 * default its job type's `maxAttempts`), becomes `queued` and is sent to SQS. Returns the job.
 * Throws {@link InvalidRequestError} for a bad body, `NotFoundError` for an unknown id or queue,
 * `UnprocessableRequestError` when its job type is no longer registered, and
 * {@link ConflictError} when the job is not dead.
 */
export async function retryJobById(services: Services, id: string, body: unknown, now = new Date()): Promise<PublicJob> {
  const parsed = retryRequestSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const problems = toFieldProblems(parsed.error);
    throw new InvalidRequestError(`invalid retry request: ${problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`, problems);
  }

  const job = await findJob(services.jobs, id);
  if (!job) {
    throw jobNotFound(id);
  }
  if (job.state !== JobState.dead) {
    throw conflict(id, job.state);
  }
  // Checked before the state changes: a job whose queue or type is gone cannot run again.
  const queue = services.queues.get(job.queue);
  const extraAttempts = parsed.data.maxAttempts ?? services.jobTypes.get(job.type).retry.maxAttempts;

  const retried = await retryDeadJob(services.jobs, id, extraAttempts, now);
  if (!retried) {
    // Another request retried it first, or it expired meanwhile.
    const current = await findJob(services.jobs, id);
    throw current ? conflict(id, current.state) : jobNotFound(id);
  }
  logger.info('dead job retried', { jobId: id, queue: retried.queue, type: retried.type, attempt: retried.attempts, maxAttempts: retried.maxAttempts });
  await sendDueJobs(services, queue, [retried], now);
  await refreshStatusCache(services, retried);
  return toPublicJob(retried);
}
