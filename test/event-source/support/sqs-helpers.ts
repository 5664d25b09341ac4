import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
  type SendMessageBatchRequestEntry,
} from '@aws-sdk/client-sqs';

export const TEST_REGION = 'us-east-1';
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export function createSqsClient(endpoint: string): SQSClient {
  return new SQSClient({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS });
}

export interface TestQueue {
  name: string;
  queueUrl: string;
  queueArn: string;
}

/** Returns a fresh queue name, so no test receives another test's messages. */
export function freshQueueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function createQueue(sqs: SQSClient, name: string, visibilityTimeoutSeconds: number): Promise<TestQueue> {
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: String(visibilityTimeoutSeconds) } }),
  );
  const queueUrl = created.QueueUrl;
  if (queueUrl === undefined) {
    throw new Error(`CreateQueue returned no QueueUrl for ${name}`);
  }
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = attributes.Attributes?.QueueArn;
  if (queueArn === undefined) {
    throw new Error(`GetQueueAttributes returned no QueueArn for ${queueUrl}`);
  }
  return { name, queueUrl, queueArn };
}

export async function deleteQueue(sqs: SQSClient, queueUrl: string): Promise<void> {
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
}

/** Sends one message per entry, in SendMessageBatch requests of at most 10 entries. */
export async function sendMessages(sqs: SQSClient, queueUrl: string, entries: Array<Omit<SendMessageBatchRequestEntry, 'Id'>>): Promise<void> {
  for (let start = 0; start < entries.length; start += 10) {
    const chunk = entries.slice(start, start + 10).map((entry, index) => ({ ...entry, Id: String(index) }));
    const output = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk }));
    if ((output.Failed ?? []).length > 0) {
      throw new Error(`SendMessageBatch failed: ${JSON.stringify(output.Failed)}`);
    }
  }
}

export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  await sendMessages(sqs, queueUrl, bodies.map((body) => ({ MessageBody: body })));
}

/** Visible and in-flight message counts of a queue. */
export async function countMessages(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const output = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(output.Attributes?.ApproximateNumberOfMessages ?? NaN),
    inFlight: Number(output.Attributes?.ApproximateNumberOfMessagesNotVisible ?? NaN),
  };
}

/** Polls `condition` every 20 ms until it holds; throws naming `description` after `timeoutMs`. */
export async function waitFor(description: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    }
    await delay(20);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
