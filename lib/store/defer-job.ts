import type { Collection } from 'mongodb';
import type { JobDocument } from '../jobs/job';
import { JobState, sourceStatesFor } from '../jobs/states';

/**
 * Defers a ready job that found no rate-limit token or concurrency slot: it becomes `delayed`
 * until `runAt` and returns to the outbox, and its `deferrals` count grows while its attempts do
 * not. Precondition: the job is `queued` or `delayed` (not claimed). Returns the job, or null
 * when its state changed meanwhile.
 */
export async function deferJob(jobs: Collection<JobDocument>, id: string, runAt: Date, now: Date): Promise<JobDocument | null> {
  const readyStates = sourceStatesFor(JobState.delayed).filter((state) => state !== JobState.active);
  return jobs.findOneAndUpdate(
    { _id: id, state: { $in: readyStates } },
    { $set: { state: JobState.delayed, runAt, outbox: true, sentAt: null, updatedAt: now }, $inc: { deferrals: 1, version: 1 } },
    { returnDocument: 'after' },
  );
}
