import { GetQueueAttributesCommand, PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Services } from '../../lib/clients';
import { createQueues, type CreatedQueue } from '../../localstack/create-queues';

/** Creates the SQS queues of the services' stage and returns them by queue name. */
export function createTestQueues(services: Services): Promise<Map<string, CreatedQueue>> {
  return createQueues(services.sqs, services.queues.definitions);
}

/** Counts a queue's messages: visible, in flight and delayed. */
export async function countMessages(services: Services, queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const response = await services.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const attributes = response.Attributes ?? {};
  return {
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** Receives up to 10 visible messages and returns their parsed bodies. */
export async function receiveBodies(services: Services, queueUrl: string): Promise<unknown[]> {
  const response = await services.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
  return (response.Messages ?? []).map((message) => JSON.parse(message.Body ?? 'null'));
}

export async function purge(services: Services, queueUrl: string): Promise<void> {
  await services.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
}
