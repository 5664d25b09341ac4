import type { Collection, Filter } from 'mongodb';
import type { JobDocument } from '../jobs/job';
import { JobState } from '../jobs/states';

/**
 * Dispatch's store operations. A dispatch run claims jobs by stamping them with its own token in
 * one conditional `updateMany`. A job already claimed by an overlapping run no longer matches the
 * condition, so each job is sent by one run only.
 */

export interface DueJobsQuery {
  now: Date;
  /** Jobs due up to this time are sent now, with the remaining delay. */
  horizon: Date;
  /** Jobs written after this time are left to the call that wrote them (it is sending them). */
  writtenBefore: Date;
  /** Ready jobs sent before this time, and still not run, are sent again. */
  sentBefore: Date;
  limit: number;
}

/** Jobs no message carries yet (new, long-delayed, retries, failed sends), due before the horizon. */
function outboxFilter(query: DueJobsQuery): Filter<JobDocument> {
  return {
    outbox: true,
    runAt: { $lte: query.horizon },
    updatedAt: { $lte: query.writtenBefore },
    state: { $in: [JobState.queued, JobState.delayed] },
  };
}

/** Ready jobs whose message was sent long ago and that still did not run: their message was lost. */
function staleMessageFilter(query: DueJobsQuery): Filter<JobDocument> {
  return {
    state: { $in: [JobState.queued, JobState.delayed] },
    runAt: { $lte: query.sentBefore },
    outbox: false,
    sentAt: { $lte: query.sentBefore },
  };
}

async function claimMatching(
  jobs: Collection<JobDocument>,
  filter: Filter<JobDocument>,
  token: string,
  limit: number,
  now: Date,
): Promise<JobDocument[]> {
  const candidates = await jobs.find(filter, { projection: { _id: 1 } }).sort({ runAt: 1 }).limit(limit).toArray();
  if (candidates.length === 0) {
    return [];
  }
  await jobs.updateMany(
    { ...filter, _id: { $in: candidates.map((job) => job._id) } },
    { $set: { outbox: false, sentAt: now, dispatchToken: token }, $inc: { version: 1 } },
  );
  return jobs.find({ dispatchToken: token }).toArray();
}

/**
 * Claims up to `limit` jobs that need a message (outbox first, then lost messages) for the dispatch
 * run `token`, and returns them. Precondition: `token` is unique to this run.
 */
export async function claimDueJobs(jobs: Collection<JobDocument>, query: DueJobsQuery, token: string): Promise<JobDocument[]> {
  const fromOutbox = await claimMatching(jobs, outboxFilter(query), token, query.limit, query.now);
  if (fromOutbox.length >= query.limit) {
    return fromOutbox;
  }
  const stale = await claimMatching(jobs, staleMessageFilter(query), token, query.limit - fromOutbox.length, query.now);
  const claimed = new Map(fromOutbox.map((job) => [job._id, job]));
  for (const job of stale) {
    claimed.set(job._id, job);
  }
  return [...claimed.values()];
}

/** Returns jobs whose send failed to the outbox, so the next run tries again. Only this run's claims are touched. */
export async function releaseDispatchClaims(jobs: Collection<JobDocument>, ids: string[], token: string): Promise<void> {
  if (ids.length === 0) {
    return;
  }
  await jobs.updateMany({ _id: { $in: ids }, dispatchToken: token }, { $set: { outbox: true, sentAt: null }, $inc: { version: 1 } });
}

/** Clears this run's token from the jobs it sent, so the token index stays small. */
export async function clearDispatchToken(jobs: Collection<JobDocument>, token: string): Promise<void> {
  await jobs.updateMany({ dispatchToken: token }, { $unset: { dispatchToken: '' } });
}
