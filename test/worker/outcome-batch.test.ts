import type { SQSRecord } from 'aws-lambda';
import type { CommandStartedEvent } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Services } from '../../lib/clients';
import { buildJob } from '../../lib/enqueue/build-job';
import { PermanentJobError, RetryableJobError } from '../../lib/errors';
import type { JobDocument } from '../../lib/jobs/job';
import { defineJobType, JobTypeRegistry } from '../../lib/jobs/registry';
import { logger } from '../../lib/observability/logger';
import { findJob, insertJobs, markJobsSent } from '../../lib/store/job-store';
import { createTaskLimiter } from '../../lib/worker/concurrency';
import { batchOutcomeWriter, OutcomeBatch } from '../../lib/worker/outcome-batch';
import { processMessage } from '../../lib/worker/process-message';
import { withCommandMonitoring } from '../support/command-monitor';
import { testServicesWithQueues } from '../support/services';

const gates = new Map<string, () => void>();
const started: string[] = [];

const registry = new JobTypeRegistry()
  .register(defineJobType({ name: 'test.echo', payloadSchema: z.object({ value: z.string() }), handler: async (payload) => ({ echoed: payload.value }) }))
  .register(defineJobType({ name: 'test.flaky', payloadSchema: z.object({}), handler: async () => {
    throw new RetryableJobError('downstream busy');
  } }))
  .register(defineJobType({ name: 'test.permanent', payloadSchema: z.object({}), handler: async () => {
    throw new PermanentJobError('bad request');
  } }))
  .register(defineJobType({ name: 'test.gated', payloadSchema: z.object({}), handler: async (_payload, context) => {
    started.push(context.jobId);
    await new Promise<void>((resolve) => gates.set(context.jobId, resolve));
    return 'released';
  } }));

let services: Services;
let close: () => Promise<void>;
let closeMonitored: () => Promise<void>;
let commands: CommandStartedEvent[];

beforeAll(async () => {
  const created = await testServicesWithQueues(registry);
  close = created.close;
  ({ services, commands, close: closeMonitored } = withCommandMonitoring(created.services));
});

afterAll(async () => {
  await closeMonitored();
  await close();
});

beforeEach(() => {
  commands.length = 0;
  started.length = 0;
});

async function storedJob(type: string, payload: unknown): Promise<JobDocument> {
  const job = buildJob('default', { type, payload }, registry, new Date());
  await insertJobs(services.jobs, [job]);
  await markJobsSent(services.jobs, [job._id], new Date());
  return job;
}

function record(job: JobDocument): SQSRecord {
  return { messageId: randomUUID(), body: JSON.stringify({ jobId: job._id, queue: 'default' }) } as SQSRecord;
}

/** Processes the records as the process function does: in parallel, with one outcome batch. */
async function processBatch(jobs: JobDocument[], recordConcurrency = jobs.length) {
  const queue = services.queues.get('default');
  const outcomes = new OutcomeBatch(batchOutcomeWriter(services, queue, logger), jobs.length);
  const runLimited = createTaskLimiter(recordConcurrency);
  return Promise.allSettled(
    jobs.map((job) => processMessage(record(job), { services, queue, logger, remainingTimeMs: () => 20_000, outcomes, runLimited })),
  );
}

function updateCommands(): CommandStartedEvent[] {
  return commands.filter((event) => event.commandName === 'update');
}

describe('process function outcome batch', () => {
  it('records ten outcomes with one bulk update', async () => {
    const jobs = await Promise.all([
      ...Array.from({ length: 7 }, (_, index) => storedJob('test.echo', { value: `v${index}` })),
      storedJob('test.flaky', {}),
      storedJob('test.permanent', {}),
      storedJob('test.flaky', {}),
    ]);
    commands.length = 0;

    const results = await processBatch(jobs);

    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    const updates = updateCommands().filter((event) => event.command.update === 'jobs');
    const outcomeUpdates = updates.filter((event) => (event.command.updates as unknown[]).length === 10);
    expect(outcomeUpdates).toHaveLength(1);
    expect(commands.filter((event) => event.commandName === 'findAndModify')).toHaveLength(10);
    const stored = await Promise.all(jobs.map((job) => findJob(services.jobs, job._id)));
    expect(stored.slice(0, 7).map((job) => job?.state)).toEqual(Array(7).fill('completed'));
    expect(stored[0]).toMatchObject({ result: { echoed: 'v0' }, leaseToken: null, attempts: 1 });
    expect(stored[7]).toMatchObject({ state: 'delayed', lastError: { name: 'RetryableJobError' } });
    expect(stored[8]).toMatchObject({ state: 'dead', lastError: { name: 'PermanentJobError', permanent: true } });
  });

  it('sends the retries of a batch with one SQS request and marks them sent', async () => {
    const jobs = await Promise.all([storedJob('test.flaky', {}), storedJob('test.flaky', {}), storedJob('test.echo', { value: 'x' })]);
    commands.length = 0;
    await processBatch(jobs);
    const stored = await Promise.all(jobs.slice(0, 2).map((job) => findJob(services.jobs, job._id)));
    expect(stored.map((job) => job?.outbox)).toEqual([false, false]);
    // markJobsSent is one multi-document update that clears `outbox`.
    const markSent = updateCommands().filter((event) => (event.command.updates as { multi?: boolean; u: { $set?: { outbox?: boolean } } }[]).some((update) => update.multi === true && update.u.$set?.outbox === false));
    expect(markSent).toHaveLength(1);
    expect(markSent[0]?.command.updates[0].q._id.$in).toHaveLength(2);
  });

  it('caches the recorded state of every job of the batch', async () => {
    const jobs = await Promise.all([storedJob('test.echo', { value: 'a' }), storedJob('test.permanent', {})]);
    await processBatch(jobs);
    expect((await services.statusCache.get(jobs[0]!._id))?.state).toBe('completed');
    expect((await services.statusCache.get(jobs[1]!._id))?.state).toBe('dead');
  });

  it('discards only the outcome whose lease was taken over', async () => {
    const gated = await storedJob('test.gated', {});
    const other = await storedJob('test.echo', { value: 'kept' });
    const running = processBatch([gated, other]);
    while (!gates.has(gated._id)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await services.jobs.updateOne({ _id: gated._id }, { $set: { leaseToken: 'another-worker' } });
    gates.get(gated._id)?.();
    const results = await running;

    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(await findJob(services.jobs, gated._id)).toMatchObject({ state: 'active', leaseToken: 'another-worker', result: null });
    expect(await findJob(services.jobs, other._id)).toMatchObject({ state: 'completed', result: { echoed: 'kept' } });
    expect((await services.statusCache.get(gated._id))?.state).toBe('active');
  });

  it('records a batch larger than its record concurrency', async () => {
    const jobs = await Promise.all(Array.from({ length: 4 }, (_, index) => storedJob('test.echo', { value: `c${index}` })));
    const results = await processBatch(jobs, 1);
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    const stored = await Promise.all(jobs.map((job) => findJob(services.jobs, job._id)));
    expect(stored.map((job) => job?.state)).toEqual(Array(4).fill('completed'));
  });

  it('records the other outcomes when a record is malformed or a duplicate', async () => {
    const done = await storedJob('test.echo', { value: 'first' });
    await processBatch([done]);
    const fresh = await storedJob('test.echo', { value: 'second' });
    const queue = services.queues.get('default');
    const outcomes = new OutcomeBatch(batchOutcomeWriter(services, queue, logger), 3);
    const context = { services, queue, logger, remainingTimeMs: () => 20_000, outcomes };
    const results = await Promise.allSettled([
      processMessage({ messageId: 'bad', body: 'not json' } as SQSRecord, context),
      processMessage(record(done), context),
      processMessage(record(fresh), context),
    ]);
    // A malformed message is logged and acknowledged: it carries no job to retry.
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect((await findJob(services.jobs, fresh._id))?.state).toBe('completed');
    expect((await findJob(services.jobs, done._id))?.attempts).toBe(1);
  });
});
