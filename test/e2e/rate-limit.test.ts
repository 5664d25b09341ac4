import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { PublicJob } from '../../lib/jobs/job';
import type { QueueStats } from '../../lib/status/status';
import type { RunningLocalStack } from '../../localstack/stack';
import { getJson, mapConcurrent, postJson } from '../../scripts/demo/http-client';
import type { Receiver } from '../../scripts/demo/receiver';
import { testSqsClient } from '../support/services';
import { startTestStack, type TestStack } from '../support/test-stack';

jest.setTimeout(180_000);

let testStack: TestStack;
let stack: RunningLocalStack;
let receiver: Receiver;

beforeAll(async () => {
  testStack = await startTestStack({ stagePrefix: 'rl', queuesFile: join(__dirname, '..', 'fixtures', 'queues.limited.json') });
  ({ stack, receiver } = testStack);
}, 120_000);

afterAll(async () => {
  await testStack?.stop();
});

async function enqueueBatch(queue: string, jobs: unknown[]): Promise<string[]> {
  const response = await postJson<{ jobs: { id: string }[] }>(`${stack.httpEndpoint}/queues/${queue}/jobs/batch`, { jobs }, stack.apiKey);
  expect(response.status).toBe(202);
  return response.body.jobs.map((job) => job.id);
}

/**
 * Waits until the queue (used by one test only) counts `ids.length` finished jobs or `timeoutMs`
 * passes, then returns every job. Polling the stats instead of each job keeps the HTTP load, which
 * includes an authorizer call per request under serverless offline, from slowing the workers.
 */
async function waitForAll(queue: string, ids: string[], timeoutMs: number): Promise<PublicJob[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body: stats } = await getJson<QueueStats>(`${stack.httpEndpoint}/queues/${queue}/stats`, stack.apiKey);
    if (stats.counts.completed + stats.counts.dead >= ids.length || Date.now() > deadline) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  // Few requests at once: each cold start under serverless offline loads two functions (authorizer and getJob).
  return mapConcurrent(ids, 4, async (id) => (await getJson<PublicJob>(`${stack.httpEndpoint}/jobs/${id}`, stack.apiKey)).body);
}

async function deadLetterCount(queue: string): Promise<number> {
  const sqs = testSqsClient();
  const response = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.queueUrls.get(queue)?.deadLetterUrl as string,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  sqs.destroy();
  return Object.values(response.Attributes ?? {}).reduce((sum, value) => sum + Number(value), 0);
}

describe('priority lanes on the local stack', () => {
  it('runs high-priority jobs ahead of a normal backlog', async () => {
    const normalKeys = Array.from({ length: 12 }, (_, index) => `normal-${index}-${randomUUID().slice(0, 6)}`);
    const highKeys = Array.from({ length: 2 }, (_, index) => `high-${index}-${randomUUID().slice(0, 6)}`);
    const slow = (key: string) => ({ type: 'http', payload: { url: `${receiver.url}/slow/${key}?ms=500` } });
    const normalIds = await enqueueBatch('laned', normalKeys.map(slow));
    const highIds = await enqueueBatch('laned', highKeys.map((key) => ({ ...slow(key), priority: 6 })));

    const finished = await waitForAll('laned', [...normalIds, ...highIds], 60_000);
    expect(finished.every((job) => job.state === 'completed')).toBe(true);
    expect(finished.slice(normalIds.length).every((job) => job.priority === 6)).toBe(true);
    // Two normal jobs run at a time for 500 ms each, so the normal lane needs about 3 s. The high
    // lane has its own queue and workers, so its jobs start without waiting for that backlog.
    const normalStarts = normalKeys.map((key) => receiver.arrivals(key)[0] as number).sort((a, b) => a - b);
    for (const key of highKeys) {
      expect(receiver.arrivals(key)[0]).toBeLessThan(normalStarts[6] as number);
    }
  });
});

describe('rate limits on the local stack', () => {
  it('runs 200 webhook jobs through a 20/s limit at that rate', async () => {
    const keys = Array.from({ length: 200 }, (_, index) => `limited-${index}-${randomUUID().slice(0, 6)}`);
    const jobs = keys.map((key) => ({ type: 'http', payload: { url: `${receiver.url}/ok/${key}` } }));
    const ids = [...(await enqueueBatch('throttled', jobs.slice(0, 100))), ...(await enqueueBatch('throttled', jobs.slice(100)))];

    const finished = await waitForAll('throttled', ids, 60_000);
    expect(finished.filter((job) => job.state === 'completed')).toHaveLength(200);
    expect(finished.every((job) => job.attempts === 1)).toBe(true);
    expect(await deadLetterCount('throttled')).toBe(0);

    const arrivals = keys.map((key) => receiver.arrivals(key)[0] as number).sort((a, b) => a - b);
    const observedRate = (arrivals.length - 1) / (((arrivals.at(-1) as number) - (arrivals[0] as number)) / 1000);
    expect(observedRate).toBeGreaterThanOrEqual(18);
    expect(observedRate).toBeLessThanOrEqual(22);
    expect(keys.every((key) => receiver.deliveries(key).length === 1)).toBe(true);
  });

  it('runs one job at a time per tenant', async () => {
    const tenantKeys = Array.from({ length: 5 }, (_, index) => `tenant-a-${index}-${randomUUID().slice(0, 6)}`);
    const otherKey = `tenant-b-${randomUUID().slice(0, 6)}`;
    const request = (key: string, tenant: string) => ({
      type: 'http',
      payload: { url: `${receiver.url}/slow/${key}?ms=400`, headers: { 'x-tenant': tenant } },
    });
    const ids = await enqueueBatch('per-tenant', [...tenantKeys.map((key) => request(key, 'a')), request(otherKey, 'b')]);

    const finished = await waitForAll('per-tenant', ids, 60_000);
    expect(finished.every((job) => job.state === 'completed' && job.attempts === 1)).toBe(true);
    const spans = tenantKeys
      .map((key) => ({ start: receiver.arrivals(key)[0] as number, end: receiver.finishes(key)[0] as number }))
      .sort((a, b) => a.start - b.start);
    for (let index = 1; index < spans.length; index += 1) {
      expect((spans[index] as { start: number }).start).toBeGreaterThanOrEqual((spans[index - 1] as { end: number }).end);
    }
    expect(finished.some((job) => job.deferrals > 0)).toBe(true);
  });

  it('rejects a job without the field its limit is keyed on', async () => {
    const response = await postJson<{ error: { message: string } }>(`${stack.httpEndpoint}/queues/per-tenant/jobs`, {
      type: 'http',
      payload: { url: `${receiver.url}/ok/x` },
    }, stack.apiKey);
    expect(response.status).toBe(422);
    expect(response.body.error.message).toContain('payload.headers.x-tenant is required by limit "tenant"');
  });
});
