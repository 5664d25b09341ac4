import type { EnqueuedJob, RejectedJob } from '../api/response-schemas';
import type { Services } from '../clients';
import { InvalidRequestError, RequestError, UnprocessableRequestError } from '../errors';
import type { JobDocument } from '../jobs/job';
import { batchRequestSchema, prefixProblems, toFieldProblems } from '../jobs/request';
import { describeError, logger } from '../observability/logger';
import { countMetric, JobMetric } from '../observability/metrics';
import { resolveLimits } from '../ratelimit/limits';
import { SQS_MAX_DELAY_SECONDS, type QueueDefinition } from '../queues/definitions';
import { secondsUntil, sendQueueJobs } from '../sqs/send-queue-jobs';
import { findJob, insertJobs, markJobsSent } from '../store/job-store';
import { isDuplicateKeyError } from '../store/errors';
import { claimIdempotencyKey, idempotencyCollection } from '../idempotency/idempotency-store';
import { hashRequest } from '../idempotency/request-hash';
import { limitConcurrency } from '../worker/concurrency';
import { buildJob } from './build-job';

/** Batch entries with an idempotency key enqueued at once; the default MongoDB pool has 5 connections. */
const KEYED_ENTRY_CONCURRENCY = 5;

export type { EnqueuedJob, RejectedJob } from '../api/response-schemas';

/**
 * Rejects a job that lacks a field one of its queue's limits is keyed on, so no job enters a queue
 * that could not limit it. Throws `UnprocessableRequestError` naming the field.
 */
function checkLimitKeys(queue: QueueDefinition, job: JobDocument, prefix: string[] = []): void {
  try {
    resolveLimits(queue, job);
  } catch (error) {
    if (error instanceof RequestError && prefix.length > 0) {
      throw new UnprocessableRequestError(`${prefix.join('.')}: ${error.message}`, prefixProblems(error.problems, prefix));
    }
    throw error;
  }
}

/**
 * Sends the jobs due within SQS's 900 s delay limit and marks them sent. A failed send is logged
 * and leaves the job in the outbox, where dispatch finds it: the job is already safe in MongoDB.
 */
export async function sendDueJobs(services: Services, queue: QueueDefinition, documents: JobDocument[], now: Date): Promise<void> {
  const due = documents.filter((job) => secondsUntil(job.runAt, now) <= SQS_MAX_DELAY_SECONDS);
  if (due.length === 0) {
    return;
  }
  const outcome = await sendQueueJobs(services, queue, due, now);
  const typeById = new Map(due.map((job) => [job._id, job.type]));
  for (const failure of outcome.failed) {
    logger.warn('SQS send failed; the job stays in the outbox for dispatch', { jobId: failure.jobId, queue: queue.name, type: typeById.get(failure.jobId), error: failure.error });
  }
  try {
    await markJobsSent(services.jobs, outcome.sent, now);
  } catch (error) {
    // The messages are out; dispatch will send these jobs once more, and the claim runs each once.
    logger.warn('marking jobs sent failed', { queue: queue.name, jobs: outcome.sent.length, error: describeError(error) });
  }
}

/**
 * Enqueues one job: validates it, inserts it into MongoDB, then sends its message to SQS.
 * Throws a `RequestError` for invalid input, before anything is written.
 */
export async function enqueueJob(services: Services, queueName: string, body: unknown, now = new Date()): Promise<EnqueuedJob> {
  const queue = services.queues.get(queueName);
  const job = buildJob(queue, body, services.jobTypes, now);
  checkLimitKeys(queue, job);
  if (job.idempotencyKey !== undefined) {
    return enqueueOnce(services, queue, job, body, now);
  }
  await insertJobs(services.jobs, [job]);
  countMetric(JobMetric.enqueued);
  await sendDueJobs(services, queue, [job], now);
  await services.statusCache.putQuietly([job], logger);
  return { id: job._id, state: job.state };
}

/**
 * Enqueues a job that carries an idempotency key. The first request with the key within the
 * window creates the job, and every other one, concurrent or later, returns that job's id. The job's
 * id is fixed by the key record, so if the request that claimed the key failed before inserting
 * the job, the next request inserts it under the same id. Throws `UnprocessableRequestError`
 * when the key was first used for a different request.
 */
async function enqueueOnce(services: Services, queue: QueueDefinition, job: JobDocument, body: unknown, now: Date): Promise<EnqueuedJob> {
  const requestHash = hashRequest(body);
  const keys = idempotencyCollection(services.mongo.db(services.config.MONGODB_DATABASE));
  const claim = await claimIdempotencyKey(keys, {
    _id: `${queue.name}:${job.idempotencyKey}`,
    jobId: job._id,
    requestHash,
    createdAt: now,
    expiresAt: new Date(now.getTime() + services.config.SLUICE_IDEMPOTENCY_WINDOW_SECONDS * 1000),
  });
  if (!claim.owned && claim.record.requestHash !== requestHash) {
    throw new UnprocessableRequestError(
      `idempotencyKey ${JSON.stringify(job.idempotencyKey)} was used for a different request (job ${claim.record.jobId}); use a new key for a new job`,
      [{ field: 'idempotencyKey', message: 'was used for a different request' }],
    );
  }
  const document = claim.owned ? job : { ...job, _id: claim.record.jobId };
  let inserted = true;
  try {
    await insertJobs(services.jobs, [document]);
  } catch (error) {
    if (!isDuplicateKeyError(error)) {
      throw error;
    }
    inserted = false;
  }
  if (inserted) {
    countMetric(JobMetric.enqueued);
    await sendDueJobs(services, queue, [document], now);
    await services.statusCache.putQuietly([document], logger);
  }
  if (claim.owned) {
    return { id: document._id, state: document.state };
  }
  const stored = inserted ? document : await findJob(services.jobs, document._id);
  return { id: document._id, state: stored?.state ?? document.state, existing: true };
}

/**
 * Enqueues up to 100 jobs with one `insertMany` and batched sends. Each entry is validated on its
 * own: invalid entries get an error in their place and are not written; the valid ones are.
 */
export async function enqueueBatch(services: Services, queueName: string, body: unknown, now = new Date()): Promise<(EnqueuedJob | RejectedJob)[]> {
  const queue = services.queues.get(queueName);
  const parsed = batchRequestSchema.safeParse(body);
  if (!parsed.success) {
    const problems = toFieldProblems(parsed.error);
    throw new InvalidRequestError(`invalid batch request: ${problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`, problems);
  }

  const results: (EnqueuedJob | RejectedJob)[] = [];
  const accepted: JobDocument[] = [];
  const keyed: { index: number; job: JobDocument; entry: unknown }[] = [];
  parsed.data.jobs.forEach((entry, index) => {
    try {
      const job = buildJob(queue, entry, services.jobTypes, now, ['jobs', String(index)]);
      checkLimitKeys(queue, job, ['jobs', String(index)]);
      if (job.idempotencyKey === undefined) {
        accepted.push(job);
      } else {
        keyed.push({ index, job, entry });
      }
      results.push({ id: job._id, state: job.state });
    } catch (error) {
      if (!(error instanceof RequestError)) {
        throw error;
      }
      results.push({ error: { message: error.message, problems: error.problems } });
    }
  });

  if (accepted.length === 0 && keyed.length === 0) {
    throw new UnprocessableRequestError('no job in the batch is valid; fix the entries listed in problems', results.flatMap((result) => ('error' in result ? result.error.problems : [])));
  }
  if (accepted.length > 0) {
    await insertJobs(services.jobs, accepted);
    countMetric(JobMetric.enqueued, accepted.length);
    await sendDueJobs(services, queue, accepted, now);
    await services.statusCache.putQuietly(accepted, logger);
  }
  // Entries with an idempotency key each claim their key on their own, like single requests, a
  // few at once: one after another, a batch of 100 would wait for about 600 round trips in a row.
  // Concurrent claims of one key are safe, because the key record decides the job's id.
  const enqueueKeyed = limitConcurrency(KEYED_ENTRY_CONCURRENCY, async ({ index, job, entry }: (typeof keyed)[number]) => {
    try {
      results[index] = await enqueueOnce(services, queue, job, entry, now);
    } catch (error) {
      if (!(error instanceof RequestError)) {
        throw error;
      }
      results[index] = { error: { message: `jobs.${index}: ${error.message}`, problems: prefixProblems(error.problems, ['jobs', String(index)]) } };
    }
  });
  await Promise.all(keyed.map((item) => enqueueKeyed(item)));
  return results;
}
