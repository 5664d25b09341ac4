import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Services } from '../../lib/clients';
import { runDispatch } from '../../lib/dispatch/dispatch';
import { buildJob } from '../../lib/enqueue/build-job';
import { LeaseLostError } from '../../lib/errors';
import { defineJobType, JobTypeRegistry } from '../../lib/jobs/registry';
import { logger } from '../../lib/observability/logger';
import { createSchedule } from '../../lib/schedules/schedules';
import { claimJob, completeJob, findJob, insertJobs, markJobsSent } from '../../lib/store/job-store';
import { processMessage } from '../../lib/worker/process-message';
import { purge, receiveBodies } from '../support/queues';
import { testServicesWithQueues } from '../support/services';

/** Far enough ahead that every lease of the default queue (30 s timeout plus a 10 s margin) has expired. */
const LEASES_EXPIRED_MS = 5 * 60_000;
const runs: string[] = [];
const registry = new JobTypeRegistry()
  .register(
    defineJobType({
      name: 'test.count',
      payloadSchema: z.object({}),
      handler: async (_payload, context) => {
        runs.push(context.jobId);
        return 'ran';
      },
    }),
  )
  .register(
    defineJobType({
      name: 'test.stalls',
      payloadSchema: z.object({}),
      // Stalls past its lease: dispatch, running later, recovers the job before the handler returns.
      handler: async () => {
        await runDispatch(services, { now: new Date(Date.now() + LEASES_EXPIRED_MS) });
        return 'late';
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
  await services.jobs.deleteMany({});
  await services.schedules.deleteMany({});
  await purge(services, queueUrl);
});

function record(body: unknown): SQSRecord {
  return { messageId: randomUUID(), body: JSON.stringify(body) } as SQSRecord;
}

describe('dispatch lease recovery', () => {
  it('retries a job whose worker died and rejects the late worker', async () => {
    const oneMinuteAgo = new Date(Date.now() - 60_000);
    const job = buildJob('default', { type: 'test.count', payload: {} }, registry, oneMinuteAgo);
    await insertJobs(services.jobs, [job]);
    await markJobsSent(services.jobs, [job._id], oneMinuteAgo);
    // A worker claims the job, then dies: its 10 s lease expired 50 s ago.
    await claimJob(services.jobs, job._id, { leaseToken: 'dead-worker', leaseMs: 10_000, now: oneMinuteAgo });

    const report = await runDispatch(services);
    expect(report).toMatchObject({ leasesRetried: 1, leasesDead: 0 });
    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'delayed', attempts: 1, outbox: false, lastError: { name: 'LeaseExpiredError' } });

    const bodies = await receiveBodies(services, queueUrl);
    expect(bodies).toEqual([{ jobId: job._id, queue: 'default' }]);
    const context = { services, queue: services.queues.get('default'), logger, remainingTimeMs: () => 20_000 };
    await processMessage(record(bodies[0]), context);
    await processMessage(record(bodies[0]), context);

    expect(runs).toEqual([job._id]);
    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'completed', attempts: 2, result: 'ran' });
    await expect(completeJob(services.jobs, job._id, 'dead-worker', 'late', new Date(), 60)).rejects.toThrow(LeaseLostError);
  });

  it('logs the rejected outcome of a worker whose lease was recovered', async () => {
    const job = buildJob('default', { type: 'test.stalls', payload: {} }, registry, new Date());
    await insertJobs(services.jobs, [job]);
    await markJobsSent(services.jobs, [job._id], new Date());
    // Job-scoped child loggers share the prototype, so a spy on it records their lines.
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const context = { services, queue: services.queues.get('default'), logger, remainingTimeMs: () => 20_000 };
    await processMessage(record({ jobId: job._id, queue: 'default' }), context);

    expect(await findJob(services.jobs, job._id)).toMatchObject({ state: 'delayed', attempts: 1, result: null, lastError: { name: 'LeaseExpiredError' } });
    expect(warn.mock.calls.some(([message]) => String(message).includes('lease was taken over'))).toBe(true);
    warn.mockRestore();
  });

  it('materialises due schedule slots', async () => {
    const now = new Date();
    await createSchedule(services, { id: `dispatch-${randomUUID().slice(0, 8)}`, queue: 'default', cron: '*/5 * * * *', job: { type: 'test.count', payload: {} } }, now);
    const report = await runDispatch(services, { now });
    expect(report.scheduledJobs).toBe(3);
    expect(await services.jobs.countDocuments({ _id: { $regex: '^sched:dispatch-' }, outbox: false })).toBe(3);
  });
});
