import { buildJob } from '../../lib/enqueue/build-job';
import type { JobDocument, JobError } from '../../lib/jobs/job';
import { createJobTypeRegistry } from '../../lib/jobs/types';
import { JOB_HISTORY_LIMIT } from '../../lib/store/job-history';
import { buryJob, cancelJob, claimJob, completeJob, findJob, insertJobs, retryDeadJob, scheduleRetry } from '../../lib/store/job-store';
import { recoverExpiredLeases } from '../../lib/store/lease-recovery';
import { freshDatabase, type TestDatabase } from '../support/services';

const jobTypes = createJobTypeRegistry();
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const RETENTION_SECONDS = 3_600;
const LEASE_MS = 30_000;

function newJob(overrides: Partial<JobDocument> = {}): JobDocument {
  return { ...buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, jobTypes, t0), ...overrides };
}

function failure(attempt: number, message = 'HTTP 500'): JobError {
  return { name: 'RetryableJobError', message, attempt, at: t0, permanent: false };
}

async function historyOf(id: string) {
  return (await findJob(database.jobs, id))?.history?.map((entry) => ({ ...entry, at: entry.at.toISOString() }));
}

let database: TestDatabase;

beforeEach(async () => {
  database = await freshDatabase();
});

afterEach(async () => {
  await database.drop();
});

describe('job history', () => {
  it('records each transition with its attempt', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    await claimJob(database.jobs, job._id, { leaseToken: 'lease-1', leaseMs: LEASE_MS, now: at(1) });
    await scheduleRetry(database.jobs, job._id, 'lease-1', failure(1), at(5), at(2));
    await claimJob(database.jobs, job._id, { leaseToken: 'lease-2', leaseMs: LEASE_MS, now: at(5) });
    await buryJob(database.jobs, job._id, 'lease-2', failure(2, 'HTTP 404'), at(6), RETENTION_SECONDS);
    await retryDeadJob(database.jobs, job._id, 1, at(7));
    await claimJob(database.jobs, job._id, { leaseToken: 'lease-3', leaseMs: LEASE_MS, now: at(8) });
    await completeJob(database.jobs, job._id, 'lease-3', { ok: true }, at(9), RETENTION_SECONDS);

    expect(await historyOf(job._id)).toEqual([
      { state: 'queued', at: at(0).toISOString(), attempt: 0 },
      { state: 'active', at: at(1).toISOString(), attempt: 1 },
      { state: 'delayed', at: at(2).toISOString(), attempt: 1, error: { name: 'RetryableJobError', message: 'HTTP 500' } },
      { state: 'active', at: at(5).toISOString(), attempt: 2 },
      { state: 'dead', at: at(6).toISOString(), attempt: 2, error: { name: 'RetryableJobError', message: 'HTTP 404' } },
      { state: 'queued', at: at(7).toISOString(), attempt: 2 },
      { state: 'active', at: at(8).toISOString(), attempt: 3 },
      { state: 'completed', at: at(9).toISOString(), attempt: 3 },
    ]);
  });

  it('records a cancellation', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    await cancelJob(database.jobs, job._id, at(1), RETENTION_SECONDS);

    expect((await historyOf(job._id))?.at(-1)).toEqual({ state: 'cancelled', at: at(1).toISOString(), attempt: 0 });
  });

  it('records an expired lease as a failure', async () => {
    const job = newJob({ maxAttempts: 1 });
    await insertJobs(database.jobs, [job]);
    await claimJob(database.jobs, job._id, { leaseToken: 'lease-1', leaseMs: LEASE_MS, now: at(1) });
    await recoverExpiredLeases(database.jobs, { now: at(60), limit: 10, deadRetentionSeconds: RETENTION_SECONDS });

    const last = (await historyOf(job._id))?.at(-1);
    expect(last).toMatchObject({ state: 'dead', at: at(60).toISOString(), attempt: 1 });
    expect(last?.error?.name).toBe('LeaseExpiredError');
  });

  it('keeps only the newest entries', async () => {
    const job = newJob({ maxAttempts: 100 });
    await insertJobs(database.jobs, [job]);
    for (let attempt = 1; attempt <= 15; attempt += 1) {
      await claimJob(database.jobs, job._id, { leaseToken: `lease-${attempt}`, leaseMs: LEASE_MS, now: at(attempt * 10) });
      await scheduleRetry(database.jobs, job._id, `lease-${attempt}`, failure(attempt), at(attempt * 10 + 5), at(attempt * 10 + 1));
    }

    const history = await historyOf(job._id);
    expect(history).toHaveLength(JOB_HISTORY_LIMIT);
    expect(history?.at(-1)).toMatchObject({ state: 'delayed', attempt: 15 });
    expect(history?.[0]).toMatchObject({ state: 'active', attempt: 6 });
  });

  it('stores dollar strings as they are', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    await claimJob(database.jobs, job._id, { leaseToken: '$lease', leaseMs: LEASE_MS, now: at(1) });
    await scheduleRetry(database.jobs, job._id, '$lease', failure(1, '$attempts'), at(2), at(1));
    await claimJob(database.jobs, job._id, { leaseToken: '$lease', leaseMs: LEASE_MS, now: at(2) });
    await completeJob(database.jobs, job._id, '$lease', { text: '$attempts' }, at(3), RETENTION_SECONDS);

    const stored = await findJob(database.jobs, job._id);
    expect(stored?.result).toEqual({ text: '$attempts' });
    expect(stored?.history?.[2]?.error?.message).toBe('$attempts');
  });
});
