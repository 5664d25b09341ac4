import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { MongoClient } from 'mongodb';
import { apiKeysCollection, createApiKey, revokeApiKey } from '../../lib/auth/api-key-store';
import type { PublicJob } from '../../lib/jobs/job';
import type { RunningLocalStack } from '../../localstack/stack';
import { authHeaders, getJson, postJson } from '../../scripts/demo/http-client';
import type { Receiver } from '../../scripts/demo/receiver';
import { testSqsClient } from '../support/services';
import { startTestStack, type TestStack } from '../support/test-stack';

jest.setTimeout(120_000);

const functionLogs: string[] = [];
let testStack: TestStack;
let stack: RunningLocalStack;
let receiver: Receiver;
let mongo: MongoClient;
let database: string;

beforeAll(async () => {
  testStack = await startTestStack({ stagePrefix: 'e2e', functionEnv: { SLUICE_OUTBOX_GRACE_SECONDS: '1' }, onFunctionLog: (line) => functionLogs.push(line) });
  ({ stack, receiver, mongo, database } = testStack);
}, 120_000);

afterAll(async () => {
  await testStack?.stop();
});

async function enqueue(body: unknown, queue = 'default') {
  return postJson<{ id: string; state: string; error?: { message: string } }>(`${stack.httpEndpoint}/queues/${queue}/jobs`, body, stack.apiKey);
}

async function getJob(id: string): Promise<PublicJob> {
  const response = await getJson<PublicJob>(`${stack.httpEndpoint}/jobs/${id}`, stack.apiKey);
  expect(response.status).toBe(200);
  return response.body;
}

/** Polls the job until it reaches `state` or `timeoutMs` passes; returns the last view. */
async function waitForState(id: string, states: string[], timeoutMs = 30_000): Promise<PublicJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(id);
    if (states.includes(job.state) || Date.now() > deadline) {
      return job;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('job path through serverless offline', () => {
  it('runs a webhook job to completed', async () => {
    const key = `ok-${randomUUID()}`;
    const response = await enqueue({ type: 'http', payload: { url: `${receiver.url}/ok/${key}`, body: { hello: 'world' } } });
    expect(response.status).toBe(202);
    expect(response.body.state).toBe('queued');

    const job = await waitForState(response.body.id, ['completed', 'dead']);
    expect(job).toMatchObject({ state: 'completed', attempts: 1, result: { status: 200, body: 'ok' }, lastError: null });
    expect(receiver.deliveries(key)).toEqual([200]);
  });

  it('retries a failing handler, then marks the job dead', async () => {
    const key = `broken-${randomUUID()}`;
    const response = await enqueue({ type: 'http', payload: { url: `${receiver.url}/broken/${key}` }, maxAttempts: 3 });
    expect(response.status).toBe(202);

    const job = await waitForState(response.body.id, ['completed', 'dead'], 60_000);
    expect(job.state).toBe('dead');
    expect(job.attempts).toBe(3);
    expect(job.lastError).toMatchObject({ name: 'RetryableJobError', attempt: 3, permanent: false });
    expect(job.lastError?.message).toContain('returned HTTP 500');
    expect(receiver.deliveries(key)).toEqual([500, 500, 500]);
  });

  it('fails a 404 permanently after one attempt', async () => {
    const key = `missing-${randomUUID()}`;
    const response = await enqueue({ type: 'http', payload: { url: `${receiver.url}/missing/${key}` } });
    const job = await waitForState(response.body.id, ['completed', 'dead']);
    expect(job).toMatchObject({ state: 'dead', attempts: 1, lastError: { name: 'PermanentJobError', permanent: true } });
    expect(receiver.deliveries(key)).toEqual([404]);
  });

  it('retries a dead job over HTTP without a body', async () => {
    const key = `missing-${randomUUID()}`;
    const response = await enqueue({ type: 'http', payload: { url: `${receiver.url}/missing/${key}` } });
    expect((await waitForState(response.body.id, ['dead'])).state).toBe('dead');

    const retried = await fetch(`${stack.httpEndpoint}/jobs/${response.body.id}/retry`, { method: 'POST', headers: authHeaders(stack.apiKey) });
    expect(retried.status).toBe(202);
    const job = await waitForState(response.body.id, ['dead'], 30_000);
    expect(job).toMatchObject({ state: 'dead', attempts: 2, maxAttempts: 6 });
    expect(receiver.deliveries(key)).toEqual([404, 404]);
  });

  it('does not run a job delayed 30 s before it is due', async () => {
    const key = `delayed-${randomUUID()}`;
    const enqueuedAt = Date.now();
    const response = await enqueue({ type: 'http', payload: { url: `${receiver.url}/ok/${key}` }, delaySeconds: 30 });
    expect(response.body.state).toBe('delayed');

    const early = await waitForState(response.body.id, ['completed'], 25_000);
    expect(early.state).toBe('delayed');
    expect(receiver.deliveries(key)).toEqual([]);

    const job = await waitForState(response.body.id, ['completed', 'dead'], 30_000);
    expect(job.state).toBe('completed');
    const [arrival] = receiver.arrivals(key);
    expect(arrival).toBeGreaterThanOrEqual(enqueuedAt + 30_000);
  });

  it('enqueues a batch and reports invalid entries in place', async () => {
    const keys = [`batch-${randomUUID()}`, `batch-${randomUUID()}`];
    const response = await postJson<{ jobs: ({ id: string; state: string } | { error: { message: string } })[] }>(
      `${stack.httpEndpoint}/queues/default/jobs/batch`,
      { jobs: [{ type: 'http', payload: { url: `${receiver.url}/ok/${keys[0]}` } }, { type: 'nope', payload: {} }, { type: 'http', payload: { url: `${receiver.url}/ok/${keys[1]}` } }] },
      stack.apiKey,
    );
    expect(response.status).toBe(202);
    const [first, second, third] = response.body.jobs;
    expect(second).toEqual({ error: expect.objectContaining({ message: expect.stringContaining('job type "nope" is not registered') }) });
    for (const result of [first, third]) {
      expect(result).toHaveProperty('id');
      expect((await waitForState((result as { id: string }).id, ['completed', 'dead'])).state).toBe('completed');
    }
  });

  it('cancels a delayed job over DELETE', async () => {
    const key = `cancel-${randomUUID()}`;
    const response = await enqueue({ type: 'http', payload: { url: `${receiver.url}/ok/${key}` }, delaySeconds: 600 });
    const cancelled = await fetch(`${stack.httpEndpoint}/jobs/${response.body.id}`, { method: 'DELETE', headers: authHeaders(stack.apiKey) });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as PublicJob).state).toBe('cancelled');
    expect((await getJob(response.body.id)).state).toBe('cancelled');
  });

  it('creates and reads a schedule over HTTP', async () => {
    const id = `nightly-${randomUUID().slice(0, 8)}`;
    const created = await postJson<{ id: string }>(`${stack.httpEndpoint}/schedules`, {
      id,
      queue: 'default',
      cron: '0 3 * * *',
      timeZone: 'Europe/Berlin',
      job: { type: 'http', payload: { url: `${receiver.url}/ok/${id}` } },
    }, stack.apiKey);
    expect(created.status).toBe(201);
    const read = await getJson<{ id: string; nextSlotAt: string }>(`${stack.httpEndpoint}/schedules/${id}`, stack.apiKey);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(id);
  });

  it('answers 404 for an unknown job id', async () => {
    const response = await getJson<{ error: { message: string } }>(`${stack.httpEndpoint}/jobs/${randomUUID()}`, stack.apiKey);
    expect(response.status).toBe(404);
    expect(response.body.error.message).toContain('not found');
  });
});

describe('bad input through serverless offline', () => {
  const url = () => `${stack.httpEndpoint}/queues/default/jobs`;

  async function rawPost(body: string, contentType: string) {
    const response = await fetch(url(), { method: 'POST', headers: { 'content-type': contentType, ...authHeaders(stack.apiKey) }, body });
    return { status: response.status, body: (await response.json()) as { error: { message: string; problems: { field: string }[] } } };
  }

  async function storedJobs(): Promise<number> {
    return mongo.db(database).collection('jobs').countDocuments();
  }

  async function messagesInQueue(): Promise<number> {
    const queueUrl = stack.queueUrls.get('default')?.url as string;
    const sqs = testSqsClient();
    const response = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    sqs.destroy();
    return Object.values(response.Attributes ?? {}).reduce((sum, value) => sum + Number(value), 0);
  }

  const cases: [string, () => Promise<{ status: number; body: { error?: { message: string } } }>, number, string][] = [
    ['non-JSON body', () => rawPost('{"type": "http", ', 'application/json'), 400, 'request body is not valid JSON'],
    ['wrong content type', () => rawPost('type=http', 'application/x-www-form-urlencoded'), 415, 'is not supported; send the body as JSON'],
    ['unknown job type', () => enqueue({ type: 'fax', payload: {} }), 422, 'job type "fax" is not registered'],
    ['payload over the size limit', () => enqueue({ type: 'http', payload: { url: 'http://127.0.0.1:9/', body: 'x'.repeat(300_000) } }), 413, 'over the limit of 262144'],
    ['negative delay', () => enqueue({ type: 'http', payload: { url: 'http://127.0.0.1:9/' }, delaySeconds: -5 }), 400, 'delaySeconds must not be negative'],
    ['too-long delay', () => enqueue({ type: 'http', payload: { url: 'http://127.0.0.1:9/' }, delaySeconds: 40 * 24 * 3600 }), 400, 'delaySeconds must be at most 2592000'],
    ['invalid payload', () => enqueue({ type: 'http', payload: { url: 'ftp://127.0.0.1/' } }), 422, 'payload.url'],
    ['unknown queue', () => enqueue({ type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, 'nope'), 404, 'queue "nope" is not defined'],
  ];

  it.each(cases)('rejects a %s, storing and sending nothing', async (_name, send, status, message) => {
    const jobsBefore = await storedJobs();
    const messagesBefore = await messagesInQueue();
    const recordsBefore = stack.poller.stats().records;
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.body.error?.message).toContain(message);
    expect(await storedJobs()).toBe(jobsBefore);
    expect(await messagesInQueue()).toBe(messagesBefore);
    expect(stack.poller.stats().records).toBe(recordsBefore);
  });
});

describe('API keys through serverless offline', () => {
  it('limits a key to its queues and actions', async () => {
    const keys = apiKeysCollection(mongo.db(database));
    const producer = await createApiKey(keys, { name: 'webhooks producer', queues: ['webhooks'], actions: ['enqueue', 'read'] });
    const job = { type: 'http', payload: { url: `${receiver.url}/ok/${randomUUID()}` }, delaySeconds: 600 };

    const own = await postJson<{ id: string }>(`${stack.httpEndpoint}/queues/webhooks/jobs`, job, producer.key);
    expect(own.status).toBe(202);
    expect((await getJson(`${stack.httpEndpoint}/jobs/${own.body.id}`, producer.key)).status).toBe(200);

    const other = await postJson<{ id: string }>(`${stack.httpEndpoint}/queues/default/jobs`, job, stack.apiKey);
    const otherRead = await getJson<{ error: { message: string } }>(`${stack.httpEndpoint}/jobs/${other.body.id}`, producer.key);
    expect(otherRead.status).toBe(403);
    expect(otherRead.body.error.message).toContain(`API key ${producer.id} may not read on queue "default"`);
    expect((await postJson(`${stack.httpEndpoint}/queues/default/jobs`, job, producer.key)).status).toBe(403);
    const cancel = await fetch(`${stack.httpEndpoint}/jobs/${own.body.id}`, { method: 'DELETE', headers: authHeaders(producer.key) });
    expect(cancel.status).toBe(403);

    await revokeApiKey(keys, producer.id);
    expect((await getJson(`${stack.httpEndpoint}/jobs/${own.body.id}`, producer.key)).status).toBe(401);
  });

  it('answers 401 without a key', async () => {
    const response = await fetch(`${stack.httpEndpoint}/queues/default/stats`);
    expect(response.status).toBe(401);
  });
});

