import { createHash } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { EventSourceHarness, freshFunctionName, mappingFor } from './support/harness';
import { countMessages, sendBodies, sendMessages, waitFor } from './support/sqs-helpers';

const harness = new EventSourceHarness();

/** Queue visibility timeout for tests that wait for a redelivery. */
const SHORT_VISIBILITY_SECONDS = 1;

function bodiesOf(events: SQSEvent[]): string[][] {
  return events.map((event) => event.Records.map((record) => record.body).sort());
}

async function expectQueueEmpty(queueUrl: string): Promise<void> {
  expect(await countMessages(harness.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 0 });
}

describe('event source poller records', () => {
  it('sends records shaped like a Lambda SQS event', async () => {
    const queue = await harness.createQueue(30);
    const functionName = freshFunctionName();
    const state = harness.fakeLambda.define(functionName, () => ({ payload: undefined }));
    const body = JSON.stringify({ job: 'a' });
    await sendMessages(harness.sqs, queue.queueUrl, [
      {
        MessageBody: body,
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'webhook' },
          attempt: { DataType: 'Number', StringValue: '3' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      },
    ]);

    const { poller } = harness.startPoller(mappingFor(queue, functionName));
    await waitFor('the record to be deleted', () => poller.stats().deleted === 1);

    const record = state.events[0]?.Records[0];
    expect(record).toBeDefined();
    expect(record?.body).toBe(body);
    expect(record?.md5OfBody).toBe(createHash('md5').update(body).digest('hex'));
    expect(record?.eventSource).toBe('aws:sqs');
    expect(record?.eventSourceARN).toBe(queue.queueArn);
    expect(record?.awsRegion).toBe('us-east-1');
    expect(record?.messageId).toMatch(/\S/);
    expect(record?.receiptHandle).toMatch(/\S/);
    expect(record?.attributes.ApproximateReceiveCount).toBe('1');
    expect(record?.attributes.SentTimestamp).toMatch(/^\d+$/);
    expect(record?.attributes.ApproximateFirstReceiveTimestamp).toMatch(/^\d+$/);
    expect(record?.attributes.SenderId).toMatch(/\S/);
    expect(record?.messageAttributes).toEqual({
      kind: { stringValue: 'webhook', stringListValues: [], binaryListValues: [], dataType: 'String' },
      attempt: { stringValue: '3', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      blob: { binaryValue: Buffer.from([1, 2, 3]).toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    await expectQueueEmpty(queue.queueUrl);
  });
});

describe('event source poller batch outcomes', () => {
  it('deletes every record after an empty failure list', async () => {
    const queue = await harness.createQueue(SHORT_VISIBILITY_SECONDS);
    const functionName = freshFunctionName();
    const state = harness.fakeLambda.define(functionName, () => ({ payload: { batchItemFailures: [] } }));
    await sendBodies(harness.sqs, queue.queueUrl, ['a', 'b', 'c']);

    const { poller } = harness.startPoller(mappingFor(queue, functionName));
    await waitFor('three deletes', () => poller.stats().deleted === 3);

    expect(bodiesOf(state.events).flat().sort()).toEqual(['a', 'b', 'c']);
    expect(poller.stats().failedRecords).toBe(0);
    await expectQueueEmpty(queue.queueUrl);
  });

  it('redelivers only the records named in batchItemFailures', async () => {
    const queue = await harness.createQueue(SHORT_VISIBILITY_SECONDS);
    const functionName = freshFunctionName();
    const deliveries = new Map<string, number>();
    const state = harness.fakeLambda.define(functionName, (event) => {
      const failures = [];
      for (const record of event.Records) {
        const count = (deliveries.get(record.body) ?? 0) + 1;
        deliveries.set(record.body, count);
        if (record.body === 'b' && count === 1) {
          failures.push({ itemIdentifier: record.messageId });
        }
      }
      return { payload: { batchItemFailures: failures } };
    });
    await sendBodies(harness.sqs, queue.queueUrl, ['a', 'b', 'c']);

    const { poller } = harness.startPoller(mappingFor(queue, functionName));
    await waitFor('b to be delivered twice', () => deliveries.get('b') === 2);
    await waitFor('all three deletes', () => poller.stats().deleted === 3);

    expect(Object.fromEntries(deliveries)).toEqual({ a: 1, b: 2, c: 1 });
    const redelivery = state.events.at(-1)?.Records[0];
    expect(redelivery?.body).toBe('b');
    expect(redelivery?.attributes.ApproximateReceiveCount).toBe('2');
    expect(poller.stats().failedRecords).toBe(1);
    await expectQueueEmpty(queue.queueUrl);
  });

  it('redelivers the whole batch when the function throws', async () => {
    const queue = await harness.createQueue(SHORT_VISIBILITY_SECONDS);
    const functionName = freshFunctionName();
    let calls = 0;
    const state = harness.fakeLambda.define(functionName, () => {
      calls += 1;
      return calls === 1 ? { error: { errorType: 'Error', errorMessage: 'database down' } } : { payload: null };
    });
    await sendBodies(harness.sqs, queue.queueUrl, ['a', 'b', 'c']);

    const { poller, lines } = harness.startPoller(mappingFor(queue, functionName));
    await waitFor('three deletes', () => poller.stats().deleted === 3);

    expect(bodiesOf(state.events)).toEqual([
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
    expect(state.events[1]?.Records.map((record) => record.attributes.ApproximateReceiveCount)).toEqual(['2', '2', '2']);
    expect(poller.stats().failedInvocations).toBe(1);
    const errors = lines.filter((entry) => entry.level === 'error').map((entry) => entry.line);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(functionName);
    expect(errors[0]).toContain('Error: database down');
    await expectQueueEmpty(queue.queueUrl);
  });

  it('redelivers the whole batch for an unknown itemIdentifier', async () => {
    const queue = await harness.createQueue(SHORT_VISIBILITY_SECONDS);
    const functionName = freshFunctionName();
    let calls = 0;
    const state = harness.fakeLambda.define(functionName, () => {
      calls += 1;
      return { payload: { batchItemFailures: calls === 1 ? [{ itemIdentifier: 'not-a-message-id' }] : [] } };
    });
    await sendBodies(harness.sqs, queue.queueUrl, ['a', 'b']);

    const { poller, lines } = harness.startPoller(mappingFor(queue, functionName));
    await waitFor('two deletes', () => poller.stats().deleted === 2);

    expect(bodiesOf(state.events)).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
    expect(lines.some((entry) => entry.level === 'error' && entry.line.includes('not-a-message-id'))).toBe(true);
    await expectQueueEmpty(queue.queueUrl);
  });

  it('keeps the batch when the invoke call fails', async () => {
    const queue = await harness.createQueue(30);
    const functionName = freshFunctionName();
    await sendBodies(harness.sqs, queue.queueUrl, ['a']);

    // No fake function by this name: the endpoint returns 404 ResourceNotFoundException.
    const { poller, lines } = harness.startPoller(mappingFor(queue, functionName));
    await waitFor('a failed invocation', () => poller.stats().failedInvocations === 1);
    await poller.stop();

    expect(poller.stats().deleted).toBe(0);
    expect(await countMessages(harness.sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 1 });
    const errors = lines.filter((entry) => entry.level === 'error').map((entry) => entry.line);
    expect(errors[0]).toContain(functionName);
    expect(errors[0]).toContain('ResourceNotFoundException');
  });
});
