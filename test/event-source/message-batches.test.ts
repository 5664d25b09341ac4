import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { deleteMessages, releaseMessages, type ReceivedMessage } from '../../localstack/event-source/message-batches';
import { EventSourceHarness } from './support/harness';
import { countMessages, sendBodies } from './support/sqs-helpers';

const harness = new EventSourceHarness();

async function receiveAll(queueUrl: string, count: number): Promise<ReceivedMessage[]> {
  const received: ReceivedMessage[] = [];
  while (received.length < count) {
    const output = await harness.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const message of output.Messages ?? []) {
      received.push({ messageId: message.MessageId ?? '', receiptHandle: message.ReceiptHandle ?? '' });
    }
  }
  return received;
}

describe('deleteMessages', () => {
  it('deletes more than 10 messages in chunks', async () => {
    const queue = await harness.createQueue(30);
    await sendBodies(harness.sqs, queue.queueUrl, Array.from({ length: 23 }, (_, index) => `message-${index}`));
    const messages = await receiveAll(queue.queueUrl, 23);

    const result = await deleteMessages(harness.sqs, queue.queueUrl, messages);

    expect(result).toEqual({ succeeded: 23, failures: [] });
    expect(await countMessages(harness.sqs, queue.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('makes released messages visible at once', async () => {
    const queue = await harness.createQueue(30);
    await sendBodies(harness.sqs, queue.queueUrl, Array.from({ length: 12 }, (_, index) => `message-${index}`));
    const messages = await receiveAll(queue.queueUrl, 12);

    const result = await releaseMessages(harness.sqs, queue.queueUrl, messages);

    expect(result).toEqual({ succeeded: 12, failures: [] });
    expect(await countMessages(harness.sqs, queue.queueUrl)).toEqual({ visible: 12, inFlight: 0 });
  });

  it('returns every message of a failed request', async () => {
    const missingQueueUrl = `http://sqs.us-east-1.localhost:${harness.port}/000000000000/no-such-queue`;
    const messages = Array.from({ length: 12 }, (_, index) => ({ messageId: `id-${index}`, receiptHandle: `handle-${index}` }));

    const result = await deleteMessages(harness.sqs, missingQueueUrl, messages);

    expect(result.succeeded).toBe(0);
    expect(result.failures.map((failure) => failure.messageId)).toEqual(messages.map((message) => message.messageId));
    expect(result.failures[0]?.reason).toContain('QueueDoesNotExist');
  });
});
