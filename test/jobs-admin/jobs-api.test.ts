import '../support/function-environment';
import * as api from '../../functions/jobs-api';
import { getServices, type Services } from '../../lib/clients';
import { buildJob } from '../../lib/enqueue/build-job';
import type { JobDocument } from '../../lib/jobs/job';
import { findJob, insertJobs } from '../../lib/store/job-store';
import { invoke, prepareFunctionServices } from '../support/http-handlers';
import { createTestQueues } from '../support/queues';

let services: Services;
let cleanUp: () => Promise<void>;

beforeAll(async () => {
  services = getServices();
  cleanUp = await prepareFunctionServices();
  await createTestQueues(services);
});

afterAll(async () => {
  await cleanUp();
});

async function storedJob(overrides: Partial<JobDocument> = {}): Promise<JobDocument> {
  const job = { ...buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, services.jobTypes, new Date()), ...overrides };
  await insertJobs(services.jobs, [job]);
  return job;
}

/** Inserts a dead job that failed its only attempt a minute ago. */
function deadJob(): Promise<JobDocument> {
  const finishedAt = new Date(Date.now() - 60_000);
  return storedJob({ state: 'dead', attempts: 1, maxAttempts: 1, finishedAt, outbox: false, expiresAt: new Date(finishedAt.getTime() + 86_400_000) });
}

describe('jobs API', () => {
  it('cancels a queued job with DELETE', async () => {
    const job = await storedJob();
    const response = await invoke(api.cancelJob, { pathParameters: { id: job._id } });
    expect(response).toMatchObject({ status: 200, body: { id: job._id, state: 'cancelled' } });
    expect(await invoke(api.getJob, { pathParameters: { id: job._id } })).toMatchObject({ status: 200, body: { state: 'cancelled' } });
  });

  it('rejects finished and unknown jobs', async () => {
    const job = await deadJob();
    const conflict = await invoke(api.cancelJob, { pathParameters: { id: job._id } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toContain('is dead');
    expect((await invoke(api.cancelJob, { pathParameters: { id: 'no-such-job' } })).status).toBe(404);
  });

  it('retries a dead job with 202', async () => {
    const job = await deadJob();
    const response = await invoke(api.retryJob, { pathParameters: { id: job._id } });
    expect(response).toMatchObject({ status: 202, body: { id: job._id, state: 'queued', maxAttempts: 1 + 5 } });
    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'queued', outbox: false });

    const withBody = await deadJob();
    expect(await invoke(api.retryJob, { pathParameters: { id: withBody._id }, body: { maxAttempts: 2 } })).toMatchObject({ status: 202, body: { maxAttempts: 3 } });
  });

  it('rejects a retry of a live job and a bad body', async () => {
    const queued = await storedJob();
    const conflict = await invoke(api.retryJob, { pathParameters: { id: queued._id } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.message).toContain('only a dead job can be retried');

    const dead = await deadJob();
    const invalid = await invoke(api.retryJob, { pathParameters: { id: dead._id }, body: { maxAttempts: -1 } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.problems[0].field).toBe('maxAttempts');
    expect((await findJob(services.jobs, dead._id))?.state).toBe('dead');
  });

  it('lists dead jobs and names a bad query parameter', async () => {
    const job = await deadJob();
    const page = await invoke(api.listJobs, { pathParameters: { queue: 'default' }, query: { state: 'dead', limit: '100' } });
    expect(page.status).toBe(200);
    expect(page.body.jobs.map((listed: { id: string }) => listed.id)).toContain(job._id);

    const invalid = await invoke(api.listJobs, { pathParameters: { queue: 'default' }, query: { state: 'dead', limit: '500' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain('limit');
    expect((await invoke(api.listJobs, { pathParameters: { queue: 'missing' }, query: { state: 'dead' } })).status).toBe(404);
  });

  it('lists the defined queues', async () => {
    const response = await invoke(api.queues, {});
    expect(response.status).toBe(200);
    expect(response.body.queues.map((queue: { name: string }) => queue.name)).toEqual(['default', 'webhooks']);
    expect(response.body.queues[1]).toEqual({ name: 'webhooks', priorityLanes: ['high'], maxConcurrency: 20, timeoutSeconds: 30 });
  });

  it('returns counts and throughput per minute', async () => {
    const queue = 'webhooks';
    // The handler reads the clock again; start early enough in a minute that both reads share it.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) {
      await new Promise((resolve) => setTimeout(resolve, 60_100 - intoMinute));
    }
    const now = Date.now();
    const minuteStart = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString();
    const finished = (state: 'completed' | 'dead', ago: number) =>
      storedJob({ queue, state, attempts: 1, finishedAt: new Date(now - ago), outbox: false });
    await Promise.all([finished('completed', 0), finished('completed', 0), finished('dead', 0), finished('completed', 30 * 60_000), finished('dead', 2 * 3_600_000)]);
    await storedJob({ queue });

    const response = await invoke(api.queueStats, { pathParameters: { queue } });
    expect(response.status).toBe(200);
    expect(response.body.counts).toMatchObject({ completed: 3, dead: 2, queued: 1 });
    const { bucketSeconds, buckets } = response.body.throughput as { bucketSeconds: number; buckets: { start: string; completed: number; dead: number }[] };
    expect(bucketSeconds).toBe(60);
    expect(buckets).toHaveLength(60);
    expect(buckets.at(-1)).toEqual({ start: minuteStart(now), completed: 2, dead: 1 });
    expect(buckets.find((bucket) => bucket.start === minuteStart(now - 30 * 60_000))).toEqual({ start: minuteStart(now - 30 * 60_000), completed: 1, dead: 0 });
    expect(buckets.reduce((sum, bucket) => sum + bucket.completed + bucket.dead, 0)).toBe(4);
  });

  it('rejects stats of an unknown queue', async () => {
    const response = await invoke(api.queueStats, { pathParameters: { queue: 'nope' } });
    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain('use one of: default, webhooks');
  });
});
