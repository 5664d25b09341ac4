import { randomUUID } from 'node:crypto';
import { buildJob } from '../../lib/enqueue/build-job';
import { LeaseLostError } from '../../lib/errors';
import type { JobDocument, JobError } from '../../lib/jobs/job';
import { createJobTypeRegistry } from '../../lib/jobs/types';
import { buryJob, claimJob, completeJob, findJob, insertJobs, markJobsSent, scheduleRetry } from '../../lib/store/job-store';
import { freshDatabase, type TestDatabase } from '../support/services';

const jobTypes = createJobTypeRegistry();
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
/** Retention of finished jobs in these tests: one hour. */
const RETENTION_SECONDS = 3_600;

function newJob(overrides: Partial<JobDocument> = {}): JobDocument {
  return { ...buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, jobTypes, t0), ...overrides };
}

function failure(attempt: number): JobError {
  return { name: 'RetryableJobError', message: 'HTTP 500', attempt, at: t0, permanent: false };
}

let database: TestDatabase;

beforeEach(async () => {
  database = await freshDatabase();
});

afterEach(async () => {
  await database.drop();
});

describe('job store', () => {
  it('claims a due job with a lease and one more attempt', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    const claimed = await claimJob(database.jobs, job._id, { leaseToken: 'lease-a', leaseMs: 30_000, now: at(1) });
    expect(claimed).toMatchObject({ state: 'active', attempts: 1, leaseToken: 'lease-a', leaseExpiresAt: at(31), version: 2 });
  });

  it('lets exactly one of two concurrent claims win', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    const results = await Promise.all(
      ['lease-a', 'lease-b'].map((leaseToken) => claimJob(database.jobs, job._id, { leaseToken, leaseMs: 30_000, now: at(1) })),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
    expect((await findJob(database.jobs, job._id))?.attempts).toBe(1);
  });

  it('lets exactly one of many concurrent claims win', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => claimJob(database.jobs, job._id, { leaseToken: randomUUID(), leaseMs: 30_000, now: at(1) })),
    );
    expect(results.filter((result) => result !== null)).toHaveLength(1);
  });

  it('does not claim a job before it is due', async () => {
    const job = newJob({ state: 'delayed', runAt: at(60) });
    await insertJobs(database.jobs, [job]);
    expect(await claimJob(database.jobs, job._id, { leaseToken: 'lease-a', leaseMs: 30_000, now: at(59) })).toBeNull();
    expect(await claimJob(database.jobs, job._id, { leaseToken: 'lease-a', leaseMs: 30_000, now: at(60) })).not.toBeNull();
  });

  it('takes over an expired lease and rejects the stale token', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    await claimJob(database.jobs, job._id, { leaseToken: 'stale', leaseMs: 10_000, now: at(1) });
    expect(await claimJob(database.jobs, job._id, { leaseToken: 'fresh', leaseMs: 10_000, now: at(5) })).toBeNull();
    const takenOver = await claimJob(database.jobs, job._id, { leaseToken: 'fresh', leaseMs: 10_000, now: at(12) });
    expect(takenOver).toMatchObject({ leaseToken: 'fresh', attempts: 2 });

    await expect(completeJob(database.jobs, job._id, 'stale', { ok: true }, at(13), RETENTION_SECONDS)).rejects.toThrow(LeaseLostError);
    await expect(scheduleRetry(database.jobs, job._id, 'stale', failure(1), at(20), at(13))).rejects.toThrow(LeaseLostError);
    await expect(buryJob(database.jobs, job._id, 'stale', failure(1), at(13), RETENTION_SECONDS)).rejects.toThrow(LeaseLostError);
    expect((await findJob(database.jobs, job._id))?.state).toBe('active');

    const completed = await completeJob(database.jobs, job._id, 'fresh', { ok: true }, at(14), RETENTION_SECONDS);
    expect(completed).toMatchObject({ state: 'completed', result: { ok: true }, leaseToken: null, finishedAt: at(14), expiresAt: at(14 + RETENTION_SECONDS) });
  });

  it('does not complete a job twice', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    await claimJob(database.jobs, job._id, { leaseToken: 'lease-a', leaseMs: 30_000, now: at(1) });
    await completeJob(database.jobs, job._id, 'lease-a', 'first', at(2), RETENTION_SECONDS);
    await expect(completeJob(database.jobs, job._id, 'lease-a', 'second', at(3), RETENTION_SECONDS)).rejects.toThrow(LeaseLostError);
    expect((await findJob(database.jobs, job._id))?.result).toBe('first');
    expect(await claimJob(database.jobs, job._id, { leaseToken: 'lease-b', leaseMs: 30_000, now: at(4) })).toBeNull();
  });

  it('schedules a retry in the outbox and claims it when due', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    await markJobsSent(database.jobs, [job._id], at(0));
    await claimJob(database.jobs, job._id, { leaseToken: 'lease-a', leaseMs: 30_000, now: at(1) });
    const retried = await scheduleRetry(database.jobs, job._id, 'lease-a', failure(1), at(10), at(2));
    expect(retried).toMatchObject({ state: 'delayed', runAt: at(10), outbox: true, sentAt: null, leaseToken: null, lastError: failure(1) });
    expect(await claimJob(database.jobs, job._id, { leaseToken: 'lease-b', leaseMs: 30_000, now: at(9) })).toBeNull();
    expect(await claimJob(database.jobs, job._id, { leaseToken: 'lease-b', leaseMs: 30_000, now: at(10) })).toMatchObject({ attempts: 2 });
  });

  it('buries a job and keeps it', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    await claimJob(database.jobs, job._id, { leaseToken: 'lease-a', leaseMs: 30_000, now: at(1) });
    await buryJob(database.jobs, job._id, 'lease-a', { ...failure(1), permanent: true }, at(2), RETENTION_SECONDS);
    expect(await findJob(database.jobs, job._id)).toMatchObject({ state: 'dead', lastError: { permanent: true }, expiresAt: at(2 + RETENTION_SECONDS) });
    expect(await claimJob(database.jobs, job._id, { leaseToken: 'lease-b', leaseMs: 30_000, now: at(3) })).toBeNull();
  });

  it('marks only unsent ready jobs as sent', async () => {
    const ready = newJob();
    const active = newJob();
    await insertJobs(database.jobs, [ready, active]);
    await claimJob(database.jobs, active._id, { leaseToken: 'lease-a', leaseMs: 30_000, now: at(1) });
    await markJobsSent(database.jobs, [ready._id, active._id], at(2));
    expect(await findJob(database.jobs, ready._id)).toMatchObject({ outbox: false, sentAt: at(2) });
    expect(await findJob(database.jobs, active._id)).toMatchObject({ outbox: true, sentAt: null });
  });
});
