import type { AnyBulkWriteOperation, Collection, Filter, UpdateFilter } from 'mongodb';
import type { JobDocument, JobError, JobHistoryEntry } from '../jobs/job';
import { JobState } from '../jobs/states';
import { JOB_HISTORY_LIMIT, pushHistory } from './job-history';

/**
 * The transitions that record an attempt's outcome. Each is one conditional update on `_id`, the
 * state `active` and the attempt's lease token, so a worker whose lease was taken over cannot
 * record anything (effects are once per lease).
 */
export type OutcomeTransition =
  | { kind: 'complete'; result: unknown; retentionSeconds: number; attempt: number }
  | { kind: 'retry'; error: JobError; runAt: Date }
  | { kind: 'bury'; error: JobError; retentionSeconds: number };

export interface OutcomeWrite {
  /** The job as its claim returned it. */
  job: JobDocument;
  leaseToken: string;
  transition: OutcomeTransition;
  now: Date;
}

/** Returns when a job finishing at `now` expires, for the TTL index on `expiresAt`. */
export function expiryAfter(now: Date, retentionSeconds: number): Date {
  return new Date(now.getTime() + retentionSeconds * 1000);
}

/** Filter that matches only while the worker holding `leaseToken` still owns the job. */
export function leaseFilter(id: string, leaseToken: string): Filter<JobDocument> {
  return { _id: id, state: JobState.active, leaseToken };
}

/** Fields an outcome sets: the lease is released and its token kept in `outcomeLeaseToken`. */
function outcomeFields(write: Omit<OutcomeWrite, 'job'>): Partial<JobDocument> {
  const { transition, now, leaseToken } = write;
  const released = { leaseToken: null, leaseExpiresAt: null, outcomeLeaseToken: leaseToken, updatedAt: now };
  switch (transition.kind) {
    case 'complete':
      return {
        ...released,
        state: JobState.completed,
        result: transition.result ?? null,
        finishedAt: now,
        expiresAt: expiryAfter(now, transition.retentionSeconds),
      };
    case 'retry':
      return { ...released, state: JobState.delayed, lastError: transition.error, runAt: transition.runAt, outbox: true, sentAt: null };
    case 'bury':
      return { ...released, state: JobState.dead, lastError: transition.error, finishedAt: now, expiresAt: expiryAfter(now, transition.retentionSeconds) };
  }
}

/** Returns the history entry an outcome appends. */
function historyEntry(write: Omit<OutcomeWrite, 'job'>): JobHistoryEntry {
  const { transition, now } = write;
  if (transition.kind === 'complete') {
    return { state: JobState.completed, at: now, attempt: transition.attempt };
  }
  const state = transition.kind === 'retry' ? JobState.delayed : JobState.dead;
  return { state, at: now, attempt: transition.error.attempt, error: { name: transition.error.name, message: transition.error.message } };
}

/**
 * Builds the update that records an outcome: it sets the outcome's fields, appends the history
 * entry and increments `version` for the status cache.
 */
export function outcomeUpdate(write: Omit<OutcomeWrite, 'job'>): UpdateFilter<JobDocument> {
  return { $set: outcomeFields(write), $inc: { version: 1 }, $push: pushHistory(historyEntry(write)) };
}

/**
 * Records the outcomes of a batch's attempts with one unordered `bulkWrite` of conditional
 * updates, one per job. Returns, in the order of `writes`, the job as recorded, or null when the
 * job's lease was taken over (its outcome was discarded). Throws the driver's error when the
 * bulk write fails; MongoDB may have applied some of its updates by then, and a later delivery
 * finds those jobs finished.
 */
export async function recordOutcomes(jobs: Collection<JobDocument>, writes: OutcomeWrite[]): Promise<(JobDocument | null)[]> {
  if (writes.length === 0) {
    return [];
  }
  const operations: AnyBulkWriteOperation<JobDocument>[] = writes.map((write) => ({
    updateOne: { filter: leaseFilter(write.job._id, write.leaseToken), update: outcomeUpdate(write) },
  }));
  const result = await jobs.bulkWrite(operations, { ordered: false });

  let applied: boolean[];
  if (result.matchedCount === writes.length) {
    applied = writes.map(() => true);
  } else {
    // Some leases were lost. The bulk result has only totals, so read which outcomes landed:
    // each job stores the lease token of the attempt whose outcome it contains.
    const stored = await jobs
      .find({ _id: { $in: writes.map((write) => write.job._id) } }, { projection: { outcomeLeaseToken: 1 } })
      .toArray();
    const tokens = new Map(stored.map((job) => [job._id, job.outcomeLeaseToken]));
    applied = writes.map((write) => tokens.get(write.job._id) === write.leaseToken);
  }

  // While the lease lasts, only its holder changes the job's state and outcome fields, so the
  // recorded job is the claimed one with the outcome's fields applied.
  return writes.map((write, index) =>
    applied[index]
      ? {
          ...write.job,
          ...outcomeFields(write),
          version: write.job.version + 1,
          history: [...(write.job.history ?? []), historyEntry(write)].slice(-JOB_HISTORY_LIMIT),
        }
      : null,
  );
}
