import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { MAX_INVOKE_PAYLOAD_BYTES } from '../../localstack/event-source/gather-batch';
import { EventSourceHarness, freshFunctionName, mappingFor } from './support/harness';
import { countMessages, createQueue, delay, freshQueueName, sendBodies, waitFor } from './support/sqs-helpers';

const harness = new EventSourceHarness();

/** Long enough that no message becomes visible again while a fake function is still running. */
const LONG_VISIBILITY_SECONDS = 30;

function bodies(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `message-${index}`);
}

/** Creates a gate that fake functions wait on until the test opens it. */
function createGate(): { wait: () => Promise<void>; open: () => void } {
  let open = (): void => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait: () => opened, open };
}

describe('event source poller batching', () => {
  it('invokes with at most batchSize records', async () => {
    const queue = await harness.createQueue(LONG_VISIBILITY_SECONDS);
    const functionName = freshFunctionName();
    const state = harness.fakeLambda.define(functionName, () => ({ payload: null }));
    await sendBodies(harness.sqs, queue.queueUrl, bodies(25));

    const { poller } = harness.startPoller(mappingFor(queue, functionName, { batchSize: 10, maximumBatchingWindowSeconds: 0 }));
    await waitFor('25 deletes', () => poller.stats().deleted === 25);

    const sizes = state.events.map((event) => event.Records.length);
    expect(Math.max(...sizes)).toBe(10);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(25);
    expect(await countMessages(harness.sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('gathers several receives into one batch', async () => {
    const queue = await harness.createQueue(LONG_VISIBILITY_SECONDS);
    const functionName = freshFunctionName();
    const state = harness.fakeLambda.define(functionName, () => ({ payload: null }));
    await sendBodies(harness.sqs, queue.queueUrl, bodies(25));

    const { poller } = harness.startPoller(
      mappingFor(queue, functionName, { batchSize: 15, maximumBatchingWindowSeconds: 1, maxConcurrency: 1 }),
    );
    await waitFor('25 deletes', () => poller.stats().deleted === 25);

    // One ReceiveMessage returns at most 10, so a batch of 15 took two receives.
    expect(state.events.map((event) => event.Records.length)).toEqual([15, 10]);
    expect(await countMessages(harness.sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('waits for the batching window to fill a batch', async () => {
    const queue = await harness.createQueue(LONG_VISIBILITY_SECONDS);
    const functionName = freshFunctionName();
    const state = harness.fakeLambda.define(functionName, () => ({ payload: null }));
    await sendBodies(harness.sqs, queue.queueUrl, ['early-1', 'early-2', 'early-3']);

    const { poller } = harness.startPoller(
      mappingFor(queue, functionName, { batchSize: 10, maximumBatchingWindowSeconds: 3, maxConcurrency: 1 }),
    );
    await waitFor('the poller to receive the first messages', async () => (await countMessages(harness.sqs, queue.queueUrl)).inFlight === 3);
    await sendBodies(harness.sqs, queue.queueUrl, ['late-1', 'late-2']);
    await waitFor('5 deletes', () => poller.stats().deleted === 5);

    expect(state.events.map((event) => event.Records.map((record) => record.body).sort())).toEqual([
      ['early-1', 'early-2', 'early-3', 'late-1', 'late-2'],
    ]);
  });
});

describe('event source poller payload limit', () => {
  it('keeps each event under 6 MB', async () => {
    const queue = await harness.createQueue(LONG_VISIBILITY_SECONDS);
    const functionName = freshFunctionName();
    const state = harness.fakeLambda.define(functionName, () => ({ payload: null }));
    // 30 bodies of 250,000 bytes: 25 of them fit in one 6 MB event.
    for (let index = 0; index < 30; index += 1) {
      await harness.sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: `${index}:`.padEnd(250_000, 'x') }));
    }

    const { poller } = harness.startPoller(
      mappingFor(queue, functionName, { batchSize: 30, maximumBatchingWindowSeconds: 1, maxConcurrency: 1 }),
    );
    await waitFor('30 deletes', () => poller.stats().deleted === 30);

    expect(state.events.map((event) => event.Records.length)).toEqual([25, 5]);
    for (const bytes of state.payloadBytes) {
      expect(bytes).toBeLessThanOrEqual(MAX_INVOKE_PAYLOAD_BYTES);
    }
    // The 5 records that did not fit were made visible again at once and received a second time.
    expect(state.events[1]?.Records.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['2', '2', '2', '2', '2']);
    expect(poller.stats().failedInvocations).toBe(0);
  });
});

describe('event source poller concurrency', () => {
  it('runs exactly maxConcurrency invocations under a backlog', async () => {
    const queue = await harness.createQueue(LONG_VISIBILITY_SECONDS);
    const functionName = freshFunctionName();
    const state = harness.fakeLambda.define(functionName, async () => {
      await delay(100);
      return { payload: null };
    });
    await sendBodies(harness.sqs, queue.queueUrl, bodies(24));

    const { poller } = harness.startPoller(mappingFor(queue, functionName, { batchSize: 1, maxConcurrency: 3 }));
    await waitFor('24 deletes', () => poller.stats().deleted === 24);

    expect(state.maxInFlight).toBe(3);
    expect(poller.stats().maxInFlight).toBe(3);
    expect(poller.stats().invocations).toBe(24);
  });

  it('receives nothing while every slot is busy', async () => {
    const queue = await harness.createQueue(LONG_VISIBILITY_SECONDS);
    const functionName = freshFunctionName();
    const gate = createGate();
    const state = harness.fakeLambda.define(functionName, async () => {
      await gate.wait();
      return { payload: null };
    });
    await sendBodies(harness.sqs, queue.queueUrl, bodies(6));

    const { poller } = harness.startPoller(mappingFor(queue, functionName, { batchSize: 1, maxConcurrency: 2 }));
    await waitFor('two invocations in flight', () => state.inFlight === 2);
    // Longer than one receive wait (1 s): a poller that received ahead would hold more messages by now.
    await delay(1500);

    expect(await countMessages(harness.sqs, queue.queueUrl)).toEqual({ visible: 4, inFlight: 2 });
    gate.open();
    await waitFor('6 deletes', () => poller.stats().deleted === 6);
    expect(state.maxInFlight).toBe(2);
  });
});

describe('event source poller stop', () => {
  it('waits for in-flight invocations', async () => {
    const queue = await harness.createQueue(LONG_VISIBILITY_SECONDS);
    const functionName = freshFunctionName();
    const gate = createGate();
    const state = harness.fakeLambda.define(functionName, async () => {
      await gate.wait();
      return { payload: null };
    });
    await sendBodies(harness.sqs, queue.queueUrl, ['held']);

    const { poller, lines } = harness.startPoller(mappingFor(queue, functionName));
    await waitFor('one invocation in flight', () => state.inFlight === 1);
    let stopped = false;
    const stopping = poller.stop().then(() => {
      stopped = true;
    });
    await delay(1500);
    expect(stopped).toBe(false);

    gate.open();
    await stopping;
    expect(poller.stats().deleted).toBe(1);
    expect(await countMessages(harness.sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    expect(lines.at(-1)?.line).toBe('event source: stopped');
  });

  it('returns the same promise when called twice', async () => {
    const queue = await harness.createQueue(LONG_VISIBILITY_SECONDS);
    const { poller } = harness.startPoller(mappingFor(queue, freshFunctionName()));

    const first = poller.stop();
    expect(poller.stop()).toBe(first);
    await first;
  });

  it('gives up on invocations after stopTimeoutMs', async () => {
    const queue = await harness.createQueue(LONG_VISIBILITY_SECONDS);
    const functionName = freshFunctionName();
    const gate = createGate();
    const state = harness.fakeLambda.define(functionName, async () => {
      await gate.wait();
      return { payload: null };
    });
    await sendBodies(harness.sqs, queue.queueUrl, ['stuck']);

    const { poller, lines } = harness.startPoller(mappingFor(queue, functionName), { stopTimeoutMs: 200 });
    await waitFor('one invocation in flight', () => state.inFlight === 1);
    await poller.stop();

    expect(poller.stats().inFlight).toBe(1);
    expect(lines.at(-1)?.level).toBe('error');
    expect(lines.at(-1)?.line).toContain('1 invocations in flight');
    gate.open();
  });
});

describe('event source poller stats', () => {
  it('counts each mapping and the totals', async () => {
    const first = await harness.createQueue(LONG_VISIBILITY_SECONDS);
    const second = await harness.createQueue(LONG_VISIBILITY_SECONDS);
    const firstFunction = freshFunctionName();
    const secondFunction = freshFunctionName();
    harness.fakeLambda.define(firstFunction, () => ({ payload: null }));
    harness.fakeLambda.define(secondFunction, (event) => ({
      payload: { batchItemFailures: event.Records.filter((record) => record.body === 'fail').map((record) => ({ itemIdentifier: record.messageId })) },
    }));
    await sendBodies(harness.sqs, first.queueUrl, ['a', 'b', 'c']);
    await sendBodies(harness.sqs, second.queueUrl, ['d', 'fail']);

    const { poller } = harness.startPoller(mappingFor(first, firstFunction), {
      mappings: [mappingFor(first, firstFunction), mappingFor(second, secondFunction)],
    });
    await waitFor('4 deletes', () => poller.stats().deleted === 4);
    await poller.stop();

    const stats = poller.stats();
    expect(stats.mappings.map(({ functionName, records, deleted, failedRecords }) => ({ functionName, records, deleted, failedRecords }))).toEqual([
      { functionName: firstFunction, records: 3, deleted: 3, failedRecords: 0 },
      { functionName: secondFunction, records: 2, deleted: 1, failedRecords: 1 },
    ]);
    expect(stats.records).toBe(5);
    expect(stats.deleted).toBe(4);
    expect(stats.failedRecords).toBe(1);
    expect(stats.inFlight).toBe(0);
  });
});

describe('event source poller receive errors', () => {
  it('reports a missing queue and recovers once it exists', async () => {
    const name = freshQueueName('es-missing');
    const queueUrl = `http://sqs.us-east-1.localhost:${harness.port}/000000000000/${name}`;
    const functionName = freshFunctionName();
    const state = harness.fakeLambda.define(functionName, () => ({ payload: null }));
    const mapping = { queueUrl, queueArn: `arn:aws:sqs:us-east-1:000000000000:${name}`, functionName };

    const { poller, lines } = harness.startPoller(
      mappingFor({ name, ...mapping }, functionName),
    );
    await waitFor('a receive error', () => lines.some((entry) => entry.level === 'error'));
    const error = lines.find((entry) => entry.level === 'error')?.line;
    expect(error).toContain(queueUrl);
    expect(error).toContain('QueueDoesNotExist');
    expect(error).toContain('retrying in 500 ms');

    const queue = await createQueue(harness.sqs, name, LONG_VISIBILITY_SECONDS);
    harness.deleteAfterTest(queue.queueUrl);
    expect(queue.queueUrl).toBe(queueUrl);
    await sendBodies(harness.sqs, queueUrl, ['after-recovery']);
    await waitFor('the message to be deleted', () => poller.stats().deleted === 1);

    expect(state.events[0]?.Records[0]?.body).toBe('after-recovery');
    expect(poller.stats().receiveErrors).toBeGreaterThanOrEqual(1);
    expect(lines.some((entry) => entry.line.includes(`receiving from ${queueUrl} works again`))).toBe(true);
  });
});
