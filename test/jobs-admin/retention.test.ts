import { MongoClient, type Collection, type Db } from 'mongodb';
import { buildJob } from '../../lib/enqueue/build-job';
import type { JobDocument, JobError } from '../../lib/jobs/job';
import { createJobTypeRegistry } from '../../lib/jobs/types';
import { readConfig } from '../../lib/config/env';
import { jobsCollection, prepareDatabase } from '../../lib/store/collections';
import { buryJob, cancelJob, claimJob, completeJob, insertJobs, retryDeadJob } from '../../lib/store/job-store';
import { startMongoWireServer, type MongoWireServer } from '../../localstack/mongo-wire';

const DAY_MS = 24 * 60 * 60 * 1000;
const jobTypes = createJobTypeRegistry();
const config = readConfig({ MONGODB_URI: 'mongodb://127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1' });
const completedRetention = config.SLUICE_COMPLETED_RETENTION_SECONDS;
const deadRetention = config.SLUICE_DEAD_RETENTION_SECONDS;

let server: MongoWireServer;
let client: MongoClient;
let db: Db;
let jobs: Collection<JobDocument>;

beforeAll(async () => {
  // Its own server, so the test decides when the TTL sweep runs: the timer waits an hour.
  server = await startMongoWireServer({ ttlIntervalMs: 3_600_000 });
  client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5_000 });
  db = client.db('retention');
  await prepareDatabase(db);
  jobs = jobsCollection(db);
});

afterAll(async () => {
  await client.close();
  await server.close();
});

beforeEach(async () => {
  await jobs.deleteMany({});
});

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);

async function activeJob(id: string, startedAt: Date): Promise<JobDocument> {
  const job = buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, jobTypes, startedAt, [], id);
  await insertJobs(jobs, [job]);
  await claimJob(jobs, id, { leaseToken: `lease-${id}`, leaseMs: 30_000, now: startedAt });
  return job;
}

function failure(at: Date): JobError {
  return { name: 'Error', message: 'failed', attempt: 1, at, permanent: true };
}

async function remainingIds(): Promise<string[]> {
  return (await jobs.find({}).sort({ _id: 1 }).toArray()).map((job) => job._id);
}

describe('job retention', () => {
  it('declares a TTL index on expiresAt', async () => {
    const indexes = await jobs.listIndexes().toArray();
    expect(indexes.find((index) => index.name === 'expiresAt_ttl')).toMatchObject({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });
  });

  it('uses 7 days for completed and 30 days for dead jobs by default', () => {
    expect(completedRetention).toBe(7 * 24 * 60 * 60);
    expect(deadRetention).toBe(30 * 24 * 60 * 60);
  });

  it('expires completed and cancelled jobs after their retention', async () => {
    await activeJob('completed-8-days-ago', daysAgo(8));
    await completeJob(jobs, 'completed-8-days-ago', 'lease-completed-8-days-ago', 'ok', daysAgo(8), completedRetention);
    await activeJob('completed-6-days-ago', daysAgo(6));
    await completeJob(jobs, 'completed-6-days-ago', 'lease-completed-6-days-ago', 'ok', daysAgo(6), completedRetention);
    await insertJobs(jobs, [buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, jobTypes, daysAgo(9), [], 'cancelled-8-days-ago')]);
    await cancelJob(jobs, 'cancelled-8-days-ago', daysAgo(8), completedRetention);
    await insertJobs(jobs, [buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, jobTypes, daysAgo(1), [], 'queued')]);

    expect(server.sweepExpired()).toBe(2);
    expect(await remainingIds()).toEqual(['completed-6-days-ago', 'queued']);
  });

  it('keeps dead jobs for 30 days', async () => {
    await activeJob('dead-31-days-ago', daysAgo(31));
    await buryJob(jobs, 'dead-31-days-ago', 'lease-dead-31-days-ago', failure(daysAgo(31)), daysAgo(31), deadRetention);
    await activeJob('dead-8-days-ago', daysAgo(8));
    await buryJob(jobs, 'dead-8-days-ago', 'lease-dead-8-days-ago', failure(daysAgo(8)), daysAgo(8), deadRetention);

    expect(server.sweepExpired()).toBe(1);
    expect(await remainingIds()).toEqual(['dead-8-days-ago']);
  });

  it('keeps a retried dead job', async () => {
    await activeJob('retried', daysAgo(31));
    await buryJob(jobs, 'retried', 'lease-retried', failure(daysAgo(31)), daysAgo(31), deadRetention);
    await retryDeadJob(jobs, 'retried', 1, new Date());

    expect(server.sweepExpired()).toBe(0);
    expect(await remainingIds()).toEqual(['retried']);
  });
});
