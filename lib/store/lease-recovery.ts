import type { Collection } from 'mongodb';
import type { JobDocument, JobError } from '../jobs/job';
import { JobState } from '../jobs/states';
import { pushHistory } from './job-history';
import { expiryAfter } from './job-store';

/** Name of the error recorded on a job whose worker stopped without recording an outcome. */
export const LEASE_EXPIRED_ERROR = 'LeaseExpiredError';

export interface LeaseRecoveryOptions {
  now: Date;
  /** Jobs examined per call. */
  limit: number;
  /** How long a job that ran out of attempts is kept as `dead` before it expires. */
  deadRetentionSeconds: number;
}

export interface RecoveredLeases {
  /** Jobs sent back to the outbox for another attempt. */
  retried: JobDocument[];
  /** Jobs whose expired attempt was their last. */
  dead: JobDocument[];
}

function leaseExpiredError(job: JobDocument, now: Date, last: boolean): JobError {
  const expiredAt = job.leaseExpiresAt?.toISOString() ?? 'an unknown time';
  return {
    name: LEASE_EXPIRED_ERROR,
    message: last
      ? `the lease of the last attempt (${job.attempts} of ${job.maxAttempts}) expired at ${expiredAt} before its worker recorded an outcome`
      : `the lease of attempt ${job.attempts} expired at ${expiredAt} before its worker recorded an outcome; the job is retried`,
    attempt: job.attempts,
    at: now,
    permanent: false,
  };
}

/**
 * Recovers up to `limit` `active` jobs whose lease expired by `now`: their worker died or
 * stalled. The expired attempt stays counted. A job with attempts left becomes `delayed`, due at
 * `now`, in the outbox; a job on its last attempt becomes `dead`. Each update is conditional on
 * the lease token it found, so a worker that records its outcome at the same moment either wins
 * (the job is left alone) or loses (its outcome is rejected with `LeaseLostError`).
 */
export async function recoverExpiredLeases(jobs: Collection<JobDocument>, options: LeaseRecoveryOptions): Promise<RecoveredLeases> {
  const { now } = options;
  const expired = await jobs
    .find({ state: JobState.active, leaseExpiresAt: { $lte: now } })
    .sort({ leaseExpiresAt: 1 })
    .limit(options.limit)
    .toArray();

  const recovered: RecoveredLeases = { retried: [], dead: [] };
  for (const job of expired) {
    const last = job.attempts >= job.maxAttempts;
    const filter = { _id: job._id, state: JobState.active, leaseToken: job.leaseToken, leaseExpiresAt: { $lte: now } };
    const error = leaseExpiredError(job, now, last);
    const cleared = { leaseToken: null, leaseExpiresAt: null, lastError: error, updatedAt: now };
    const state = last ? JobState.dead : JobState.delayed;
    const history = pushHistory({ state, at: now, attempt: job.attempts, error: { name: error.name, message: error.message } });
    const update = last
      ? { $set: { ...cleared, state, finishedAt: now, expiresAt: expiryAfter(now, options.deadRetentionSeconds) }, $inc: { version: 1 }, $push: history }
      : { $set: { ...cleared, state, runAt: now, outbox: true, sentAt: null }, $inc: { version: 1 }, $push: history };
    const updated = await jobs.findOneAndUpdate(filter, update, { returnDocument: 'after' });
    if (updated) {
      (last ? recovered.dead : recovered.retried).push(updated);
    }
  }
  return recovered;
}
