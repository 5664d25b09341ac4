import type { SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Services } from '../../lib/clients';
import { buildJob } from '../../lib/enqueue/build-job';
import { PermanentJobError } from '../../lib/errors';
import type { JobDocument } from '../../lib/jobs/job';
import { defineJobType, JobTypeRegistry } from '../../lib/jobs/registry';
import { cancelJobById } from '../../lib/jobs-admin/cancel-job';
import { retryJobById } from '../../lib/jobs-admin/retry-job';
import { logger } from '../../lib/observability/logger';
import { claimJob, findJob, insertJobs, markJobsSent } from '../../lib/store/job-store';
import { processMessage } from '../../lib/worker/process-message';
import { purge, receiveBodies } from '../support/queues';
import { testServicesWithQueues } from '../support/services';

const runs: string[] = [];
/** While true, `test.fixable` fails permanently, as a handler does before its bug is fixed. */
let broken = true;

const registry = new JobTypeRegistry().register(
  defineJobType({
    name: 'test.fixable',
    payloadSchema: z.object({}),
    retry: { maxAttempts: 4 },
    handler: async (_payload, context) => {
      runs.push(context.jobId);
      if (broken) {
        throw new PermanentJobError('downstream rejected the request');
      }
      return 'fixed';
    },
  }),
);

let services: Services;
let close: () => Promise<void>;
let queueUrl: string;

beforeAll(async () => {
  ({ services, close, queueUrl } = await testServicesWithQueues(registry));
});

afterAll(async () => {
  await close();
});

beforeEach(async () => {
  runs.length = 0;
  broken = true;
  await purge(services, queueUrl);
});

async function sentJob(overrides: Partial<JobDocument> = {}): Promise<JobDocument> {
  const job = { ...buildJob('default', { type: 'test.fixable', payload: {} }, registry, new Date()), ...overrides };
  await insertJobs(services.jobs, [job]);
  await markJobsSent(services.jobs, [job._id], new Date());
  return job;
}

function record(body: unknown): SQSRecord {
  return { messageId: randomUUID(), body: JSON.stringify(body) } as SQSRecord;
}

function workerContext() {
  return { services, queue: services.queues.get('default'), logger, remainingTimeMs: () => 20_000 };
}

describe('cancelJobById', () => {
  it('cancels a queued job so its handler never runs', async () => {
    const job = await sentJob();
    const before = Date.now();
    const cancelled = await cancelJobById(services, job._id);
    expect(cancelled).toMatchObject({ id: job._id, state: 'cancelled', attempts: 0 });
    expect(await services.statusCache.get(job._id)).toMatchObject({ state: 'cancelled' });
    const expiresAt = (await findJob(services.jobs, job._id))?.expiresAt?.getTime() ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(before + services.config.SLUICE_COMPLETED_RETENTION_SECONDS * 1000);

    // The message sent before the cancellation still arrives.
    await processMessage(record({ jobId: job._id, queue: 'default' }), workerContext());
    expect(runs).toEqual([]);
    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'cancelled', attempts: 0 });
  });

  it('cancels a delayed job', async () => {
    const job = await sentJob({ state: 'delayed', runAt: new Date(Date.now() + 3_600_000) });
    expect(await cancelJobById(services, job._id)).toMatchObject({ state: 'cancelled' });
  });

  it('rejects a job that has started or finished', async () => {
    const job = await sentJob();
    await claimJob(services.jobs, job._id, { leaseToken: 'worker', leaseMs: 30_000, now: new Date() });
    await expect(cancelJobById(services, job._id)).rejects.toMatchObject({ statusCode: 409, message: expect.stringContaining('is active') });

    const cancelled = await sentJob();
    await cancelJobById(services, cancelled._id);
    await expect(cancelJobById(services, cancelled._id)).rejects.toMatchObject({ statusCode: 409, message: expect.stringContaining('is cancelled') });
  });

  it('rejects an unknown job', async () => {
    await expect(cancelJobById(services, 'no-such-job')).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('retryJobById', () => {
  it('runs a dead job again until it completes', async () => {
    const job = await sentJob({ maxAttempts: 1 });
    await processMessage(record({ jobId: job._id, queue: 'default' }), workerContext());
    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'dead', attempts: 1 });

    broken = false;
    const retried = await retryJobById(services, job._id, { maxAttempts: 2 });
    expect(retried).toMatchObject({ state: 'queued', attempts: 1, maxAttempts: 3, finishedAt: null });
    const stored = await findJob(services.jobs, job._id);
    expect(stored?.expiresAt ?? null).toBeNull();
    expect(stored?.outbox).toBe(false);
    expect(await services.statusCache.get(job._id)).toMatchObject({ state: 'queued' });

    const bodies = await receiveBodies(services, queueUrl);
    expect(bodies).toEqual([{ jobId: job._id, queue: 'default' }]);
    await processMessage(record(bodies[0]), workerContext());
    expect(runs).toEqual([job._id, job._id]);
    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'completed', attempts: 2, result: 'fixed' });
  });

  it("adds the job type's attempts by default", async () => {
    const job = await sentJob({ maxAttempts: 1 });
    await processMessage(record({ jobId: job._id, queue: 'default' }), workerContext());
    expect(await retryJobById(services, job._id, undefined)).toMatchObject({ maxAttempts: 1 + 4 });
  });

  it('rejects a job that is not dead', async () => {
    const job = await sentJob();
    await expect(retryJobById(services, job._id, undefined)).rejects.toMatchObject({ statusCode: 409, message: expect.stringContaining('is queued') });
    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'queued', maxAttempts: job.maxAttempts });
  });

  it.each([
    [{ maxAttempts: 0 }, 'maxAttempts'],
    [{ maxAttempts: 101 }, 'maxAttempts'],
    [{ maxAttempts: '3' }, 'maxAttempts'],
    [{ attempts: 3 }, '(body)'],
    [[3], '(body)'],
  ])('rejects the body %j', async (body, field) => {
    const job = await sentJob({ maxAttempts: 1 });
    await processMessage(record({ jobId: job._id, queue: 'default' }), workerContext());
    const error = await retryJobById(services, job._id, body).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 400, problems: [expect.objectContaining({ field })] });
    expect((await findJob(services.jobs, job._id))?.state).toBe('dead');
  });
});
