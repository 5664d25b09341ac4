import type { Collection } from 'mongodb';
import type { JobDocument } from '../../lib/jobs/job';

/**
 * Simulates the passing of time for one job: moves its `runAt`, `createdAt` and `updatedAt` back by
 * the same amount, so it is due `dueInMs` from now. The job then looks exactly as it would after
 * that much real time, and dispatch, which compares those fields with its own clock, cannot tell
 * the difference. Only an outbox job is moved, because an SQS message already sent cannot be
 * moved. Returns the shifted job. Throws when dispatch sent the job before the shift.
 */
export async function shiftJobClock(jobs: Collection<JobDocument>, id: string, dueInMs: number): Promise<JobDocument> {
  const job = await jobs.findOne({ _id: id });
  if (!job) {
    throw new Error(`job ${id} is missing from MongoDB`);
  }
  const shiftMs = job.runAt.getTime() - Date.now() - dueInMs;
  const back = (date: Date): Date => new Date(date.getTime() - shiftMs);
  const result = await jobs.updateOne(
    { _id: id, outbox: true, sentAt: null },
    { $set: { runAt: back(job.runAt), createdAt: back(job.createdAt), updatedAt: back(job.updatedAt) } },
  );
  if (result.modifiedCount !== 1) {
    throw new Error(`dispatch sent job ${id} before its clock shift; shift it within SLUICE_OUTBOX_GRACE_SECONDS of its enqueue`);
  }
  return (await jobs.findOne({ _id: id })) as JobDocument;
}
