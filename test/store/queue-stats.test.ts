import { buildJob } from '../../lib/enqueue/build-job';
import type { JobDocument } from '../../lib/jobs/job';
import { createJobTypeRegistry } from '../../lib/jobs/types';
import { insertJobs } from '../../lib/store/job-store';
import { aggregateQueueStats } from '../../lib/store/queue-stats';
import { freshDatabase, type TestDatabase } from '../support/services';

const jobTypes = createJobTypeRegistry();
const now = new Date('2030-01-01T12:00:00Z');
const secondsAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);

function job(overrides: Partial<JobDocument>): JobDocument {
  return { ...buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, jobTypes, secondsAgo(7_200)), ...overrides };
}

let database: TestDatabase;

beforeEach(async () => {
  database = await freshDatabase();
});

afterEach(async () => {
  await database.drop();
});

describe('aggregateQueueStats', () => {
  it('counts jobs by state per queue', async () => {
    await insertJobs(database.jobs, [job({}), job({}), job({ state: 'delayed', runAt: secondsAgo(-60) }), job({ queue: 'other' })]);
    const stats = await aggregateQueueStats(database.jobs, 'default', now);
    expect(stats.counts).toEqual({ queued: 2, delayed: 1, active: 0, completed: 0, dead: 0, cancelled: 0 });
    expect(stats.total).toBe(3);
  });

  it('counts completed and dead jobs of the last minute and hour', async () => {
    await insertJobs(database.jobs, [
      job({ state: 'completed', finishedAt: secondsAgo(10) }),
      job({ state: 'completed', finishedAt: secondsAgo(59) }),
      job({ state: 'completed', finishedAt: secondsAgo(61) }),
      job({ state: 'completed', finishedAt: secondsAgo(3_599) }),
      job({ state: 'completed', finishedAt: secondsAgo(3_601) }),
      job({ state: 'dead', finishedAt: secondsAgo(30) }),
      job({ state: 'dead', finishedAt: secondsAgo(1_800) }),
      job({ state: 'cancelled', finishedAt: secondsAgo(5) }),
      job({ queue: 'other', state: 'completed', finishedAt: secondsAgo(5) }),
    ]);
    const stats = await aggregateQueueStats(database.jobs, 'default', now);
    expect(stats.completed).toEqual({ lastMinute: 2, lastHour: 4 });
    expect(stats.failed).toEqual({ lastMinute: 1, lastHour: 2 });
    expect(stats.counts.completed).toBe(5);
  });

  it('reports the age of the oldest due job that waits', async () => {
    await insertJobs(database.jobs, [
      job({ state: 'queued', runAt: secondsAgo(42) }),
      job({ state: 'delayed', runAt: secondsAgo(90) }),
      // Not due yet, running, or in another queue: none of them waits.
      job({ state: 'delayed', runAt: secondsAgo(-600) }),
      job({ state: 'active', runAt: secondsAgo(900) }),
      job({ queue: 'other', runAt: secondsAgo(5_000) }),
    ]);
    expect((await aggregateQueueStats(database.jobs, 'default', now)).oldestWaitingSeconds).toBe(90);
  });

  it('reports no waiting age for an empty queue', async () => {
    const stats = await aggregateQueueStats(database.jobs, 'default', now);
    expect(stats).toEqual({
      counts: { queued: 0, delayed: 0, active: 0, completed: 0, dead: 0, cancelled: 0 },
      total: 0,
      completed: { lastMinute: 0, lastHour: 0 },
      failed: { lastMinute: 0, lastHour: 0 },
      oldestWaitingSeconds: null,
    });
  });
});
