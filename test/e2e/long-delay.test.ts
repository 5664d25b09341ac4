import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { Collection } from 'mongodb';
import type { JobDocument } from '../../lib/jobs/job';
import { jobsCollection } from '../../lib/store/collections';
import type { RunningLocalStack } from '../../localstack/stack';
import { postJson } from '../../scripts/demo/http-client';
import type { Receiver } from '../../scripts/demo/receiver';
import { shiftJobClock } from '../support/clock-shift';
import { testSqsClient } from '../support/services';
import { startTestStack, type TestStack } from '../support/test-stack';

jest.setTimeout(120_000);

/** 20 minutes: beyond the 900 s SQS delay limit, so the job waits in MongoDB for dispatch. */
const DELAY_SECONDS = 1200;
/** Dispatch leaves a job this long to the call that wrote it (SLUICE_OUTBOX_GRACE_SECONDS of the stack). */
const OUTBOX_GRACE_SECONDS = 1;
/**
 * After the clock shift the job is due this far ahead, so both dispatch runs finish before it is
 * due. The delay-lateness bench samples sub-second offsets too.
 */
const DUE_AFTER_SHIFT_MS = 3_000;

let testStack: TestStack;
let stack: RunningLocalStack;
let receiver: Receiver;
let jobs: Collection<JobDocument>;

beforeAll(async () => {
  testStack = await startTestStack({ stagePrefix: 'late', functionEnv: { SLUICE_OUTBOX_GRACE_SECONDS: String(OUTBOX_GRACE_SECONDS) } });
  ({ stack, receiver } = testStack);
  jobs = jobsCollection(testStack.mongo.db(testStack.database));
  await warmUpProcessFunction();
}, 120_000);

afterAll(async () => {
  await testStack?.stop();
});

async function storedJob(id: string): Promise<JobDocument> {
  const job = await jobs.findOne({ _id: id });
  if (!job) {
    throw new Error(`job ${id} is not in database ${testStack.database}`);
  }
  return job;
}

/** Counts the messages of the `default` queue: visible, in flight and delayed. */
async function messagesInQueue(): Promise<number> {
  const queueUrl = stack.queueUrls.get('default')?.url as string;
  const sqs = testSqsClient();
  try {
    const response = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] }),
    );
    return Object.values(response.Attributes ?? {}).reduce((sum, value) => sum + Number(value), 0);
  } finally {
    sqs.destroy();
  }
}

/** Polls MongoDB until the job reaches one of `states` or `timeoutMs` passes; returns the last version read. */
async function waitForState(id: string, states: string[], timeoutMs = 30_000): Promise<JobDocument> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await storedJob(id);
    if (states.includes(job.state) || Date.now() > deadline) {
      return job;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Runs one immediate job to its delivery, so that the process function's cold start is not counted
 * as lateness of the delayed job. Under serverless offline a cold start loads the bundle in a worker
 * thread and connects to MongoDB, Redis and SQS, which took 0.5-2.5 s on a 2-core machine.
 */
async function warmUpProcessFunction(): Promise<void> {
  const key = `warm-${randomUUID()}`;
  const response = await postJson<{ id: string }>(`${stack.httpEndpoint}/queues/default/jobs`, { type: 'http', payload: { url: `${receiver.url}/ok/${key}` } }, stack.apiKey);
  if (response.status !== 202) {
    throw new Error(`warm-up enqueue failed with HTTP ${response.status}: ${JSON.stringify(response.body)}`);
  }
  const job = await waitForState(response.body.id, ['completed', 'dead']);
  if (job.state !== 'completed') {
    throw new Error(`warm-up job ${job._id} ended ${job.state}, not completed; the local stack cannot run jobs`);
  }
}

describe('long delay through dispatch', () => {
  it('runs a 20-minute delay once, at most 1 s late', async () => {
    const key = `long-${randomUUID()}`;
    const response = await postJson<{ id: string; state: string }>(`${stack.httpEndpoint}/queues/default/jobs`, {
      type: 'http',
      payload: { url: `${receiver.url}/ok/${key}` },
      delaySeconds: DELAY_SECONDS,
    }, stack.apiKey);
    expect(response.status).toBe(202);
    expect(response.body.state).toBe('delayed');
    const { id } = response.body;

    const enqueued = await storedJob(id);
    expect(enqueued.outbox).toBe(true);
    expect(enqueued.runAt.getTime() - enqueued.createdAt.getTime()).toBe(DELAY_SECONDS * 1000);

    // Let the grace period pass, so that dispatch skips the job because it is not due, not because it is new.
    // Two runs at once start two dispatch workers in serverless offline. The two runs after the shift
    // then start warm and overlap, instead of the second one waiting out a cold start.
    await new Promise((resolve) => setTimeout(resolve, OUTBOX_GRACE_SECONDS * 1000 + 500));
    const early = await Promise.all([stack.invokeDispatch(), stack.invokeDispatch()]);
    expect(early.map((report) => report.sent)).toEqual([0, 0]);
    const waiting = await storedJob(id);
    expect(waiting.state).toBe('delayed');
    expect(waiting.outbox).toBe(true);
    expect(waiting.sentAt).toBeNull();
    expect(await messagesInQueue()).toBe(0);
    expect(receiver.deliveries(key)).toEqual([]);

    // Now 19-and-a-bit minutes pass, so the job is due in DUE_AFTER_SHIFT_MS. Dispatch treats the job as
    // it would then, because it compares only these fields with its own clock.
    // The shift skips the dispatch runs that would have sent the job up to 900 s ahead, so the next
    // run sends only the last seconds of the delay.
    const shifted = await shiftJobClock(jobs, id, DUE_AFTER_SHIFT_MS);
    expect(shifted.runAt.getTime() - shifted.createdAt.getTime()).toBe(DELAY_SECONDS * 1000);

    const [first, second] = await Promise.all([stack.invokeDispatch(), stack.invokeDispatch()]);
    expect(first.sent + second.sent).toBe(1);
    expect(await messagesInQueue()).toBe(1);
    expect((await storedJob(id)).outbox).toBe(false);

    const finished = await waitForState(id, ['completed', 'dead'], DUE_AFTER_SHIFT_MS + 30_000);
    expect(finished.state).toBe('completed');
    expect(finished.attempts).toBe(1);
    expect(receiver.deliveries(key)).toEqual([200]);

    const [arrival] = receiver.arrivals(key);
    const latenessMs = (arrival as number) - shifted.runAt.getTime();
    expect(latenessMs).toBeGreaterThanOrEqual(0);
    expect(latenessMs).toBeLessThanOrEqual(1000);
  });
});
