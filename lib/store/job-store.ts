import type { Collection, Filter } from 'mongodb';
import { LeaseLostError } from '../errors';
import type { JobDocument, JobError } from '../jobs/job';
import { JobState, sourceStatesFor } from '../jobs/states';
import { appendHistoryExpression } from './job-history';
import { expiryAfter, leaseFilter, outcomeUpdate, type OutcomeWrite } from './record-outcomes';

export { expiryAfter } from './record-outcomes';

/**
 * Job store operations. Each is one atomic MongoDB operation whose filter states its precondition,
 * and each filters on `_id` by plain equality so a mongos routes it to one shard.
 */

/** Inserts new jobs. Throws the driver's error when the insert fails; nothing is sent before it succeeds. */
export async function insertJobs(jobs: Collection<JobDocument>, documents: JobDocument[]): Promise<void> {
  if (documents.length === 1) {
    await jobs.insertOne(documents[0] as JobDocument);
    return;
  }
  await jobs.insertMany(documents, { ordered: true });
}

export async function findJob(jobs: Collection<JobDocument>, id: string): Promise<JobDocument | null> {
  return jobs.findOne({ _id: id });
}

/** Marks jobs as carried by an SQS message sent at `now`. Jobs that changed since are left alone. */
export async function markJobsSent(jobs: Collection<JobDocument>, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) {
    return;
  }
  await jobs.updateMany(
    { _id: { $in: ids }, outbox: true, state: { $in: [JobState.queued, JobState.delayed] } },
    { $set: { outbox: false, sentAt: now }, $inc: { version: 1 } },
  );
}

export interface ClaimOptions {
  leaseToken: string;
  leaseMs: number;
  now: Date;
}

/**
 * Claims a job for one attempt: a due `queued` or `delayed` job, or an `active` job whose lease
 * expired, becomes `active` with this worker's lease and one more attempt. Returns the claimed
 * job, or null when the job is missing, not due, finished, or held by a live lease.
 */
export async function claimJob(jobs: Collection<JobDocument>, id: string, options: ClaimOptions): Promise<JobDocument | null> {
  const { now } = options;
  const readyStates = sourceStatesFor(JobState.active).filter((state) => state !== JobState.active);
  const filter: Filter<JobDocument> = {
    _id: id,
    $or: [
      { state: { $in: readyStates }, runAt: { $lte: now } },
      { state: JobState.active, leaseExpiresAt: { $lte: now } },
    ],
  };
  // A pipeline update, so the history entry records the attempt number the same write sets.
  return jobs.findOneAndUpdate(
    filter,
    [
      {
        $set: {
          state: JobState.active,
          leaseToken: { $literal: options.leaseToken },
          leaseExpiresAt: new Date(now.getTime() + options.leaseMs),
          startedAt: now,
          updatedAt: now,
          attempts: { $add: ['$attempts', 1] },
          version: { $add: ['$version', 1] },
          history: appendHistoryExpression(JobState.active, now, { $add: ['$attempts', 1] }),
        },
      },
    ],
    { returnDocument: 'after' },
  );
}

function leaseLost(id: string, operation: string): LeaseLostError {
  return new LeaseLostError(`job ${id} is no longer held by this worker's lease; its ${operation} was discarded`, {
    jobId: id,
    operation,
  });
}

/** Records one outcome with its own `findOneAndUpdate`; `recordOutcomes` records a batch's outcomes in one bulk write. */
async function recordOutcome(jobs: Collection<JobDocument>, id: string, write: Omit<OutcomeWrite, 'job'>, operation: string): Promise<JobDocument> {
  const job = await jobs.findOneAndUpdate(leaseFilter(id, write.leaseToken), outcomeUpdate(write), { returnDocument: 'after' });
  if (!job) {
    throw leaseLost(id, operation);
  }
  return job;
}

/**
 * Records a successful attempt; the job expires `retentionSeconds` later. Precondition: the job
 * is `active` under `leaseToken`. Throws {@link LeaseLostError} when another worker took the job over.
 */
export async function completeJob(
  jobs: Collection<JobDocument>,
  id: string,
  leaseToken: string,
  result: unknown,
  now: Date,
  retentionSeconds: number,
): Promise<JobDocument> {
  // A pipeline update, so the history entry records the stored attempt number. `$literal` keeps
  // the handler's result from being read as an expression.
  const job = await jobs.findOneAndUpdate(
    leaseFilter(id, leaseToken),
    [
      {
        $set: {
          state: JobState.completed,
          result: { $literal: result ?? null },
          leaseToken: null,
          leaseExpiresAt: null,
          finishedAt: now,
          updatedAt: now,
          expiresAt: expiryAfter(now, retentionSeconds),
          outcomeLeaseToken: { $literal: leaseToken },
          version: { $add: ['$version', 1] },
          history: appendHistoryExpression(JobState.completed, now, '$attempts'),
        },
      },
    ],
    { returnDocument: 'after' },
  );
  if (!job) {
    throw leaseLost(id, 'completion');
  }
  return job;
}

/**
 * Schedules the next attempt after a failed one: the job becomes `delayed` until `runAt`, waiting
 * in the outbox until a message carries it. Throws {@link LeaseLostError} when the lease was lost.
 */
export async function scheduleRetry(
  jobs: Collection<JobDocument>,
  id: string,
  leaseToken: string,
  error: JobError,
  runAt: Date,
  now: Date,
): Promise<JobDocument> {
  return recordOutcome(jobs, id, { leaseToken, now, transition: { kind: 'retry', error, runAt } }, 'retry');
}

/**
 * Moves a job to `dead` after its last attempt or a permanent failure. The job is kept for
 * `retentionSeconds`, then expires. Throws {@link LeaseLostError} when the lease was lost.
 */
export async function buryJob(
  jobs: Collection<JobDocument>,
  id: string,
  leaseToken: string,
  error: JobError,
  now: Date,
  retentionSeconds: number,
): Promise<JobDocument> {
  return recordOutcome(jobs, id, { leaseToken, now, transition: { kind: 'bury', error, retentionSeconds } }, 'failure');
}

/**
 * Cancels a job that has not started (`queued` or `delayed`); it expires `retentionSeconds` later.
 * A message already in SQS for it is skipped, because the claim takes only ready jobs. Returns
 * the cancelled job, or null when the job is missing or in another state.
 */
export async function cancelJob(jobs: Collection<JobDocument>, id: string, now: Date, retentionSeconds: number): Promise<JobDocument | null> {
  return jobs.findOneAndUpdate(
    { _id: id, state: { $in: [...sourceStatesFor(JobState.cancelled)] } },
    [
      {
        $set: {
          state: JobState.cancelled,
          outbox: false,
          finishedAt: now,
          updatedAt: now,
          expiresAt: expiryAfter(now, retentionSeconds),
          version: { $add: ['$version', 1] },
          history: appendHistoryExpression(JobState.cancelled, now, '$attempts'),
        },
      },
    ],
    { returnDocument: 'after' },
  );
}

/**
 * Gives a `dead` job `extraAttempts` more attempts: it becomes `queued`, due at `now`, in the
 * outbox, with `maxAttempts = attempts + extraAttempts` and no expiry. Its last error stays for
 * reference. Returns the job, or null when the job is missing or not dead.
 */
export async function retryDeadJob(jobs: Collection<JobDocument>, id: string, extraAttempts: number, now: Date): Promise<JobDocument | null> {
  // A pipeline update computes maxAttempts from the stored attempts in the same atomic write.
  return jobs.findOneAndUpdate(
    { _id: id, state: { $in: [...sourceStatesFor(JobState.queued)] } },
    [
      {
        $set: {
          state: JobState.queued,
          maxAttempts: { $add: ['$attempts', extraAttempts] },
          runAt: now,
          outbox: true,
          sentAt: null,
          result: null,
          finishedAt: null,
          updatedAt: now,
          version: { $add: ['$version', 1] },
          history: appendHistoryExpression(JobState.queued, now, '$attempts'),
        },
      },
      { $unset: ['expiresAt'] },
    ],
    { returnDocument: 'after' },
  );
}
