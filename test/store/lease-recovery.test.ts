import { buildJob } from '../../lib/enqueue/build-job';
import { LeaseLostError } from '../../lib/errors';
import type { JobDocument } from '../../lib/jobs/job';
import { createJobTypeRegistry } from '../../lib/jobs/types';
import { claimJob, completeJob, findJob, insertJobs } from '../../lib/store/job-store';
import { LEASE_EXPIRED_ERROR, recoverExpiredLeases } from '../../lib/store/lease-recovery';
import { freshDatabase, type TestDatabase } from '../support/services';

const jobTypes = createJobTypeRegistry();
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const RETENTION_SECONDS = 3_600;
const LEASE_MS = 30_000;

function newJob(overrides: Partial<JobDocument> = {}): JobDocument {
  return { ...buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, jobTypes, t0), ...overrides };
}

function recover(database: TestDatabase, now: Date) {
  return recoverExpiredLeases(database.jobs, { now, limit: 100, deadRetentionSeconds: RETENTION_SECONDS });
}

let database: TestDatabase;

beforeEach(async () => {
  database = await freshDatabase();
});

afterEach(async () => {
  await database.drop();
});

describe('recoverExpiredLeases', () => {
  it('leaves live leases alone', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    await claimJob(database.jobs, job._id, { leaseToken: 'lease-a', leaseMs: LEASE_MS, now: at(1) });
    expect(await recover(database, at(30))).toEqual({ retried: [], dead: [] });
    expect(await findJob(database.jobs, job._id)).toMatchObject({ state: 'active', leaseToken: 'lease-a' });
  });

  it('retries an expired lease and rejects the late worker', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    await claimJob(database.jobs, job._id, { leaseToken: 'lease-a', leaseMs: LEASE_MS, now: at(1) });

    const recovered = await recover(database, at(31));
    expect(recovered.dead).toEqual([]);
    expect(recovered.retried).toHaveLength(1);
    const stored = await findJob(database.jobs, job._id);
    expect(stored).toMatchObject({ state: 'delayed', attempts: 1, runAt: at(31), outbox: true, sentAt: null, leaseToken: null, leaseExpiresAt: null });
    expect(stored?.lastError).toMatchObject({ name: LEASE_EXPIRED_ERROR, attempt: 1, at: at(31), permanent: false });
    expect(stored?.lastError?.message).toContain('lease of attempt 1 expired');

    await expect(completeJob(database.jobs, job._id, 'lease-a', 'late', at(32), RETENTION_SECONDS)).rejects.toThrow(LeaseLostError);
    expect(await claimJob(database.jobs, job._id, { leaseToken: 'lease-b', leaseMs: LEASE_MS, now: at(32) })).toMatchObject({ attempts: 2 });
    expect(await completeJob(database.jobs, job._id, 'lease-b', 'done', at(33), RETENTION_SECONDS)).toMatchObject({ state: 'completed', result: 'done' });
    await expect(completeJob(database.jobs, job._id, 'lease-b', 'again', at(34), RETENTION_SECONDS)).rejects.toThrow(LeaseLostError);
    await expect(completeJob(database.jobs, job._id, 'lease-a', 'late', at(34), RETENTION_SECONDS)).rejects.toThrow(LeaseLostError);
    expect((await findJob(database.jobs, job._id))?.result).toBe('done');
  });

  it('buries a job whose last attempt lost its lease', async () => {
    const job = newJob({ maxAttempts: 1 });
    await insertJobs(database.jobs, [job]);
    await claimJob(database.jobs, job._id, { leaseToken: 'lease-a', leaseMs: LEASE_MS, now: at(1) });

    const recovered = await recover(database, at(40));
    expect(recovered.retried).toEqual([]);
    expect(recovered.dead).toHaveLength(1);
    const stored = await findJob(database.jobs, job._id);
    expect(stored).toMatchObject({ state: 'dead', attempts: 1, finishedAt: at(40), expiresAt: at(40 + RETENTION_SECONDS), leaseToken: null });
    expect(stored?.lastError?.message).toContain('lease of the last attempt (1 of 1) expired');
    await expect(completeJob(database.jobs, job._id, 'lease-a', 'late', at(41), RETENTION_SECONDS)).rejects.toThrow(LeaseLostError);
  });

  it('leaves a job whose worker finished first', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    await claimJob(database.jobs, job._id, { leaseToken: 'lease-a', leaseMs: LEASE_MS, now: at(1) });
    await completeJob(database.jobs, job._id, 'lease-a', 'in time', at(2), RETENTION_SECONDS);
    expect(await recover(database, at(60))).toEqual({ retried: [], dead: [] });
    expect(await findJob(database.jobs, job._id)).toMatchObject({ state: 'completed', result: 'in time' });
  });

  it('recovers each expired lease once when calls overlap', async () => {
    const jobs = Array.from({ length: 10 }, () => newJob());
    await insertJobs(database.jobs, jobs);
    for (const job of jobs) {
      await claimJob(database.jobs, job._id, { leaseToken: `lease-${job._id}`, leaseMs: LEASE_MS, now: at(1) });
    }
    const results = await Promise.all([recover(database, at(31)), recover(database, at(31)), recover(database, at(31))]);
    expect(results.reduce((sum, result) => sum + result.retried.length, 0)).toBe(10);
    expect(await database.jobs.countDocuments({ state: 'delayed', attempts: 1 })).toBe(10);
  });
});
