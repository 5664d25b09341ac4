import { buildJob } from '../../lib/enqueue/build-job';
import type { JobDocument } from '../../lib/jobs/job';
import { createJobTypeRegistry } from '../../lib/jobs/types';
import { claimDueJobs, clearDispatchToken, releaseDispatchClaims, type DueJobsQuery } from '../../lib/store/dispatch-store';
import { findJob, insertJobs, markJobsSent } from '../../lib/store/job-store';
import { freshDatabase, type TestDatabase } from '../support/services';

const jobTypes = createJobTypeRegistry();
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function newJob(runAtSeconds = 0): JobDocument {
  const job = buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, jobTypes, t0);
  return { ...job, runAt: at(runAtSeconds), state: runAtSeconds > 0 ? 'delayed' : 'queued' };
}

/** Dispatch as it runs at `seconds`: 900 s horizon, 30 s grace, 900 s staleness. */
function queryAt(seconds: number, limit = 100): DueJobsQuery {
  return { now: at(seconds), horizon: at(seconds + 900), writtenBefore: at(seconds - 30), sentBefore: at(seconds - 900), limit };
}

let database: TestDatabase;

beforeEach(async () => {
  database = await freshDatabase();
});

afterEach(async () => {
  await database.drop();
});

describe('dispatch store', () => {
  it('claims outbox jobs due within the horizon, after the grace period', async () => {
    const soon = newJob(600);
    const late = newJob(2_000);
    await insertJobs(database.jobs, [soon, late]);
    expect(await claimDueJobs(database.jobs, queryAt(10), 'run-1')).toEqual([]);
    const claimed = await claimDueJobs(database.jobs, queryAt(60), 'run-2');
    expect(claimed.map((job) => job._id)).toEqual([soon._id]);
    expect(claimed[0]).toMatchObject({ outbox: false, sentAt: at(60), dispatchToken: 'run-2' });
  });

  it('gives each job to one of two overlapping runs', async () => {
    const jobs = Array.from({ length: 50 }, () => newJob());
    await insertJobs(database.jobs, jobs);
    const [first, second] = await Promise.all([claimDueJobs(database.jobs, queryAt(60), 'run-a'), claimDueJobs(database.jobs, queryAt(60), 'run-b')]);
    const ids = [...(first ?? []), ...(second ?? [])].map((job) => job._id);
    expect(ids).toHaveLength(50);
    expect(new Set(ids).size).toBe(50);
  });

  it('returns released jobs to the outbox', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    await claimDueJobs(database.jobs, queryAt(60), 'run-1');
    await releaseDispatchClaims(database.jobs, [job._id], 'run-1');
    await clearDispatchToken(database.jobs, 'run-1');
    const stored = await findJob(database.jobs, job._id);
    expect(stored).toMatchObject({ outbox: true, sentAt: null });
    expect(stored?.dispatchToken).toBeUndefined();
    expect((await claimDueJobs(database.jobs, queryAt(61), 'run-2')).map((claimed) => claimed._id)).toEqual([job._id]);
  });

  it('sends again a ready job whose message is long overdue', async () => {
    const job = newJob();
    await insertJobs(database.jobs, [job]);
    await markJobsSent(database.jobs, [job._id], at(0));
    expect(await claimDueJobs(database.jobs, queryAt(899), 'run-1')).toEqual([]);
    expect((await claimDueJobs(database.jobs, queryAt(901), 'run-2')).map((claimed) => claimed._id)).toEqual([job._id]);
  });

  it('respects the round limit', async () => {
    await insertJobs(database.jobs, Array.from({ length: 30 }, () => newJob()));
    expect(await claimDueJobs(database.jobs, queryAt(60, 10), 'run-1')).toHaveLength(10);
  });
});
