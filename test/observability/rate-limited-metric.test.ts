import type { SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { Services } from '../../lib/clients';
import { buildJob } from '../../lib/enqueue/build-job';
import { logger } from '../../lib/observability/logger';
import { metrics } from '../../lib/observability/metrics';
import type { QueueDefinition } from '../../lib/queues/definitions';
import { findJob, insertJobs, markJobsSent } from '../../lib/store/job-store';
import { processMessage } from '../../lib/worker/process-message';
import { testServicesWithQueues } from '../support/services';

let services: Services;
let close: () => Promise<void>;
let limitedQueue: QueueDefinition;

beforeAll(async () => {
  ({ services, close } = await testServicesWithQueues());
  // One token per 100 s: after the first job, the next one waits far beyond the inline wait and is sent back.
  const limitName = `metric-${randomUUID().slice(0, 8)}`;
  limitedQueue = { ...services.queues.get('default'), rateLimits: [{ name: limitName, ratePerSecond: 0.01, burst: 1 }] };
});

afterAll(async () => {
  await close();
});

async function storedJob(): Promise<string> {
  const job = buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, services.jobTypes, new Date());
  await insertJobs(services.jobs, [job]);
  await markJobsSent(services.jobs, [job._id], new Date());
  return job._id;
}

function record(jobId: string): SQSRecord {
  return { messageId: randomUUID(), body: JSON.stringify({ jobId, queue: 'default' }) } as SQSRecord;
}

/** Publishes the stored metrics and returns the EMF line written, or undefined when none was stored. */
function publishMetrics(): Record<string, any> | undefined {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  try {
    metrics.publishStoredMetrics();
  } finally {
    spy.mockRestore();
  }
  const line = written.join('').split('\n').find((text) => text.includes('CloudWatchMetrics'));
  return line === undefined ? undefined : JSON.parse(line);
}

describe('rate-limited metric', () => {
  it('counts a job sent back for lack of a token', async () => {
    const context = { services, queue: limitedQueue, logger, remainingTimeMs: () => 20_000 };
    const first = await storedJob();
    const second = await storedJob();
    // Drops whatever earlier code stored, so the next line covers only these two messages.
    publishMetrics();

    await processMessage(record(first), context);
    await processMessage(record(second), context);
    const emf = publishMetrics();

    expect(emf).toBeDefined();
    expect(emf!._aws.CloudWatchMetrics[0].Metrics).toContainEqual({ Name: 'JobsRateLimited', Unit: 'Count' });
    expect(emf!.JobsRateLimited).toBe(1);
    expect(emf!.JobsStarted).toBe(1);
    expect(await findJob(services.jobs, second)).toMatchObject({ state: 'delayed', attempts: 0, deferrals: 1 });
  });
});
