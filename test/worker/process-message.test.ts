import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Services } from '../../lib/clients';
import { buildJob } from '../../lib/enqueue/build-job';
import { PermanentJobError, RetryableJobError } from '../../lib/errors';
import type { JobDocument } from '../../lib/jobs/job';
import { defineJobType, JobTypeRegistry } from '../../lib/jobs/registry';
import { logger } from '../../lib/observability/logger';
import { findJob, insertJobs, markJobsSent } from '../../lib/store/job-store';
import { MalformedMessageError, processMessage } from '../../lib/worker/process-message';
import { countMessages } from '../support/queues';
import { testServicesWithQueues } from '../support/services';

const calls: string[] = [];
let releaseSlow: (() => void) | undefined;

const registry = new JobTypeRegistry()
  .register(defineJobType({ name: 'test.echo', payloadSchema: z.object({ value: z.string() }), handler: async (payload, context) => {
    calls.push(context.jobId);
    return { echoed: payload.value };
  } }))
  .register(defineJobType({ name: 'test.flaky', payloadSchema: z.object({}), retry: { baseDelayMs: 2_000, maxDelayMs: 4_000 }, handler: async (_payload, context) => {
    calls.push(context.jobId);
    throw new RetryableJobError('downstream busy');
  } }))
  .register(defineJobType({ name: 'test.permanent', payloadSchema: z.object({}), handler: async (_payload, context) => {
    calls.push(context.jobId);
    throw new PermanentJobError('bad request');
  } }))
  .register(defineJobType({ name: 'test.slow', payloadSchema: z.object({}), handler: async (_payload, context) => {
    calls.push(context.jobId);
    await new Promise<void>((resolve) => {
      releaseSlow = resolve;
      context.signal.addEventListener('abort', () => resolve());
    });
    return 'late';
  } }));

let services: Services;
let close: () => Promise<void>;
let queueUrl: string;

beforeAll(async () => {
  ({ services, close, queueUrl } = await testServicesWithQueues(registry));
});

afterAll(async () => {
  await close();
});

beforeEach(() => {
  calls.length = 0;
});

async function storedJob(type: string, payload: unknown, overrides: Partial<JobDocument> = {}): Promise<JobDocument> {
  const job = { ...buildJob('default', { type, payload }, registry, new Date()), ...overrides };
  await insertJobs(services.jobs, [job]);
  await markJobsSent(services.jobs, [job._id], new Date());
  return job;
}

function record(body: unknown): SQSRecord {
  return { messageId: randomUUID(), body: typeof body === 'string' ? body : JSON.stringify(body) } as SQSRecord;
}

function context(remainingTimeMs = 20_000) {
  return { services, queue: services.queues.get('default'), logger, remainingTimeMs: () => remainingTimeMs };
}

describe('processMessage', () => {
  it('completes a job and caches its state', async () => {
    const job = await storedJob('test.echo', { value: 'hi' });
    await processMessage(record({ jobId: job._id, queue: 'default' }), context());
    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'completed', attempts: 1, result: { echoed: 'hi' }, leaseToken: null });
    expect(await services.statusCache.get(job._id)).toMatchObject({ state: 'completed', result: { echoed: 'hi' } });
    expect(calls).toEqual([job._id]);
  });

  it('claims without a prior read when unlimited', async () => {
    const job = await storedJob('test.echo', { value: 'direct' });
    const reads = jest.spyOn(services.jobs, 'findOne');
    const updates = jest.spyOn(services.jobs, 'findOneAndUpdate');
    const bulkWrites = jest.spyOn(services.jobs, 'bulkWrite');
    try {
      await processMessage(record({ jobId: job._id, queue: 'default' }), context());
      expect(reads).not.toHaveBeenCalled();
      // The claim, then the completion through the batch's bulk write.
      expect(updates).toHaveBeenCalledTimes(1);
      expect(bulkWrites).toHaveBeenCalledTimes(1);
    } finally {
      reads.mockRestore();
      updates.mockRestore();
      bulkWrites.mockRestore();
    }
    expect((await findJob(services.jobs, job._id))?.state).toBe('completed');
  });

  it('skips a duplicate delivery of a finished job', async () => {
    const job = await storedJob('test.echo', { value: 'once' });
    const message = record({ jobId: job._id, queue: 'default' });
    await processMessage(message, context());
    await processMessage(message, context());
    expect(calls).toEqual([job._id]);
    expect((await findJob(services.jobs, job._id))?.attempts).toBe(1);
  });

  it('schedules a retry with backoff and sends its message', async () => {
    const job = await storedJob('test.flaky', {});
    const before = await countMessages(services, queueUrl);
    const startedAt = Date.now();
    await processMessage(record({ jobId: job._id, queue: 'default' }), context());
    const stored = await findJob(services.jobs, job._id);
    expect(stored).toMatchObject({ state: 'delayed', attempts: 1, outbox: false, lastError: { name: 'RetryableJobError', message: 'downstream busy', attempt: 1 } });
    const delayMs = (stored?.runAt.getTime() ?? 0) - startedAt;
    expect(delayMs).toBeGreaterThanOrEqual(1_000);
    expect(delayMs).toBeLessThanOrEqual(2_500);
    expect((await countMessages(services, queueUrl)).delayed).toBe(before.delayed + 1);
  });

  it('marks a job dead after its last attempt', async () => {
    const job = await storedJob('test.flaky', {}, { maxAttempts: 1 });
    await processMessage(record({ jobId: job._id, queue: 'default' }), context());
    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'dead', attempts: 1, lastError: { permanent: false } });
  });

  it('marks a permanent failure dead at once', async () => {
    const job = await storedJob('test.permanent', {});
    await processMessage(record({ jobId: job._id, queue: 'default' }), context());
    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'dead', attempts: 1, lastError: { name: 'PermanentJobError', permanent: true } });
  });

  it('fails a job whose type is no longer registered', async () => {
    const job = await storedJob('test.echo', { value: 'x' }, { type: 'retired.type' });
    await processMessage(record({ jobId: job._id, queue: 'default' }), context());
    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'dead', lastError: { permanent: true } });
    expect((await findJob(services.jobs, job._id))?.lastError?.message).toContain('job type "retired.type" is not registered');
  });

  it.each([
    ['a body that is not JSON', 'not json', 'is not JSON'],
    ['another queue', { jobId: 'x', queue: 'webhooks' }, 'does not carry a job of queue default'],
    ['no job id', { job: 'x' }, 'does not carry a job of queue default'],
    ['an operator as job id', { jobId: { $gt: '' }, queue: 'default' }, 'does not carry a job of queue default'],
  ])('acknowledges and logs a message with %s', async (_case, body, problem) => {
    const jobsBefore = await services.jobs.countDocuments();
    const errors = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    try {
      await expect(processMessage(record(body), context())).resolves.toBeUndefined();
      expect(errors).toHaveBeenCalledTimes(1);
      expect(errors).toHaveBeenCalledWith(
        'malformed SQS message acknowledged: it carries no job',
        expect.objectContaining({ error: { name: MalformedMessageError.name, message: expect.stringContaining(problem) } }),
      );
    } finally {
      errors.mockRestore();
    }
    expect(await services.jobs.countDocuments()).toBe(jobsBefore);
  });

  it('sends an early message again without running the job', async () => {
    const job = await storedJob('test.echo', { value: 'later' }, { state: 'delayed', runAt: new Date(Date.now() + 60_000) });
    const before = await countMessages(services, queueUrl);
    await processMessage(record({ jobId: job._id, queue: 'default' }), context());
    expect(calls).toEqual([]);
    expect((await findJob(services.jobs, job._id))?.state).toBe('delayed');
    expect((await countMessages(services, queueUrl)).delayed).toBe(before.delayed + 1);
  });

  it('waits for a job due within a second', async () => {
    const runAt = new Date(Date.now() + 600);
    const job = await storedJob('test.echo', { value: 'soon' }, { state: 'delayed', runAt });
    await processMessage(record({ jobId: job._id, queue: 'default' }), context());
    const stored = await findJob(services.jobs, job._id);
    expect(stored?.state).toBe('completed');
    expect(stored?.startedAt?.getTime()).toBeGreaterThanOrEqual(runAt.getTime());
  });

  it('discards the outcome of a worker whose lease was taken over', async () => {
    const job = await storedJob('test.slow', {});
    // Job-scoped child loggers share the prototype, so the spy records their lines too.
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const running = processMessage(record({ jobId: job._id, queue: 'default' }), context());
    while (calls.length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await services.jobs.updateOne({ _id: job._id }, { $set: { leaseToken: 'another-worker' } });
    releaseSlow?.();
    await running;

    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'active', leaseToken: 'another-worker', result: null });
    expect(warn.mock.calls.some(([message]) => String(message).includes('lease was taken over'))).toBe(true);
    warn.mockRestore();
  });

  it('times out a handler and schedules a retry', async () => {
    const job = await storedJob('test.slow', {});
    await processMessage(record({ jobId: job._id, queue: 'default' }), context(4_000));
    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'delayed', lastError: { message: 'attempt timed out after 1000 ms' } });
  });
});
