import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Db } from 'mongodb';
import { apiKeysCollection, createApiKey } from '../../lib/auth/api-key-store';
import { authHeaders } from '../../scripts/demo/http-client';
import { testSqsClient } from '../support/services';
import { startTestStack, type TestStack } from '../support/test-stack';
import { loadEventCases, loadHttpCases, requestBody, type CorpusAuth, type HttpCorpusCase } from './corpus-case';

jest.setTimeout(120_000);

const httpCases = loadHttpCases();
const eventCases = loadEventCases();
const functionLogs: string[] = [];
let testStack: TestStack;
let db: Db;
let sqs: SQSClient;
let readOnlyWebhooksKey: string;
let jobId: string;
const scheduleId = 'corpus-schedule';

beforeAll(async () => {
  // The event cases read the process function's log lines, which the test environment silences by default.
  testStack = await startTestStack({ stagePrefix: 'corpus', functionEnv: { POWERTOOLS_LOG_LEVEL: 'INFO' }, onFunctionLog: (line) => functionLogs.push(line) });
  db = testStack.mongo.db(testStack.database);
  sqs = testSqsClient();
  readOnlyWebhooksKey = (await createApiKey(apiKeysCollection(db), { name: 'corpus read-only', queues: ['webhooks'], actions: ['read'] })).key;
  const headers = { 'content-type': 'application/json', ...authHeaders(testStack.stack.apiKey) };
  const job = await fetch(`${testStack.stack.httpEndpoint}/queues/default/jobs`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'http', payload: { url: `${testStack.receiver.url}/ok/corpus` }, delaySeconds: 3_600 }),
  });
  jobId = ((await job.json()) as { id: string }).id;
  const schedule = await fetch(`${testStack.stack.httpEndpoint}/schedules`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ id: scheduleId, queue: 'default', cron: '0 3 * * *', job: { type: 'http', payload: { url: `${testStack.receiver.url}/ok/s` } } }),
  });
  expect(schedule.status).toBe(201);
}, 120_000);

afterAll(async () => {
  sqs?.destroy();
  await testStack?.stop();
});

/** Counts every document the API can write, per collection. */
async function storedDocuments(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of ['jobs', 'idempotencyKeys', 'schedules', 'api_keys']) {
    counts[name] = await db.collection(name).countDocuments();
  }
  return counts;
}

/** Counts the messages of every SQS queue and dead-letter queue of the stack: visible, in flight and delayed. */
async function queuedMessages(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, created] of testStack.stack.queueUrls) {
    for (const [label, url] of [[name, created.url], [`${name} (dead-letter)`, created.deadLetterUrl]] as const) {
      const response = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
        }),
      );
      counts[label] = Object.values(response.Attributes ?? {}).reduce((sum, value) => sum + Number(value), 0);
    }
  }
  return counts;
}

function authorization(auth: CorpusAuth | undefined): Record<string, string> {
  if (auth === undefined || auth === 'admin') {
    return authHeaders(testStack.stack.apiKey);
  }
  if (auth === 'readOnlyWebhooks') {
    return authHeaders(readOnlyWebhooksKey);
  }
  return auth === 'none' ? {} : { authorization: auth.header };
}

async function send(request: HttpCorpusCase['request']): Promise<{ status: number; message: string; text: string }> {
  const path = request.path.replace('{{jobId}}', jobId).replace('{{scheduleId}}', scheduleId);
  const body = requestBody(request);
  const response = await fetch(`${testStack.stack.httpEndpoint}${path}`, {
    method: request.method,
    headers: { ...authorization(request.auth), ...request.headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: { error?: { message?: string } | string; message?: string } = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // A non-JSON error body fails the message check below, which prints it.
  }
  const message = typeof parsed.error === 'object' && typeof parsed.error?.message === 'string' ? parsed.error.message : (parsed.message ?? '');
  return { status: response.status, message, text };
}

describe('bad-input corpus', () => {
  it('holds at least 60 HTTP cases', () => {
    expect(httpCases.length).toBeGreaterThanOrEqual(60);
  });

  it.each(httpCases)('%s: rejects with the expected 4xx, writing nothing', async (_name, corpusCase) => {
    const documentsBefore = await storedDocuments();
    const messagesBefore = await queuedMessages();
    const response = await send(corpusCase.request);

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect({ status: response.status, message: response.message }).toEqual({
      status: corpusCase.expect.status,
      message: expect.stringContaining(corpusCase.expect.message),
    });
    expect(await storedDocuments()).toEqual(documentsBefore);
    expect(await queuedMessages()).toEqual(messagesBefore);
  });

  it.each(eventCases)('%s: acknowledges and logs a malformed SQS message', async (_name, corpusCase) => {
    const created = testStack.stack.queueUrls.get(corpusCase.event.queue);
    if (!created) {
      throw new Error(`corpus event names queue ${corpusCase.event.queue}, which the stack does not define`);
    }
    const documentsBefore = await storedDocuments();
    const messagesBefore = await queuedMessages();
    const { records: recordsBefore, deleted: deletedBefore } = testStack.stack.poller.stats();
    const logsBefore = functionLogs.length;
    const body = corpusCase.event.body ?? JSON.stringify(corpusCase.event.json);
    await sqs.send(new SendMessageCommand({ QueueUrl: created.url, MessageBody: body }));

    const deadline = Date.now() + 30_000;
    while (testStack.stack.poller.stats().deleted < deletedBefore + 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const stats = testStack.stack.poller.stats();
    expect(stats.records).toBe(recordsBefore + 1);
    expect(stats.failedRecords).toBe(0);
    expect(stats.failedInvocations).toBe(0);
    const logged = functionLogs.slice(logsBefore).filter((line) => line.includes(corpusCase.expect.log));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(corpusCase.expect.problem);
    expect(await storedDocuments()).toEqual(documentsBefore);
    expect(await queuedMessages()).toEqual(messagesBefore);
  });
});
