import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueDefinition } from '../lib/queues/definitions';
import { LocalStackError } from './errors';

/** Dead-letter queues keep messages for 14 days (1,209,600 s), the SQS maximum, so failures can be inspected. */
export const DEAD_LETTER_RETENTION_SECONDS = 1_209_600;

/** URLs and ARNs of one queue and its dead-letter queue. */
export interface CreatedQueue {
  url: string;
  arn: string;
  deadLetterUrl: string;
  deadLetterArn: string;
}

/**
 * Creates each definition's dead-letter queue, then its queue with the visibility timeout, retention and
 * redrive policy of the definition, and the same pair for each of its priority lanes. Returns them keyed
 * by the definition's logical name, and lanes by `<name>/<lane>`.
 * Idempotent: a queue that exists with other attributes (after a change to queues.json) gets the
 * definition's attributes. Throws {@link LocalStackError} naming the queue when an SQS call fails.
 */
export async function createQueues(sqs: SQSClient, definitions: QueueDefinition[]): Promise<Map<string, CreatedQueue>> {
  const entries = await Promise.all(
    definitions.flatMap((definition) =>
      definition.channels.map(async (channel): Promise<[string, CreatedQueue]> => [
        channel.lane === null ? definition.name : `${definition.name}/${channel.lane}`,
        await createQueuePair(sqs, { ...definition, sqsName: channel.sqsName, deadLetterSqsName: channel.deadLetterSqsName }),
      ]),
    ),
  );
  return new Map(entries);
}

async function createQueuePair(sqs: SQSClient, definition: QueueDefinition): Promise<CreatedQueue> {
  const deadLetterUrl = await ensureQueue(sqs, definition.deadLetterSqsName, {
    MessageRetentionPeriod: String(DEAD_LETTER_RETENTION_SECONDS),
  });
  const deadLetterArn = await readQueueArn(sqs, deadLetterUrl, definition.deadLetterSqsName);

  const url = await ensureQueue(sqs, definition.sqsName, {
    VisibilityTimeout: String(definition.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(definition.messageRetentionSeconds),
    DelaySeconds: String(definition.delaySeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetterArn, maxReceiveCount: definition.maxReceiveCount }),
  });
  const arn = await readQueueArn(sqs, url, definition.sqsName);
  return { url, arn, deadLetterUrl, deadLetterArn };
}

/**
 * Creates a queue, or sets the given attributes on the existing one. SQS rejects CreateQueue for an
 * existing name with different attributes (`QueueNameExists`), so that case falls back to SetQueueAttributes.
 */
async function ensureQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  try {
    const created = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    return requireValue(created.QueueUrl, name, 'CreateQueue returned no QueueUrl');
  } catch (error) {
    if (!isQueueNameExists(error)) {
      throw new LocalStackError(`cannot create SQS queue ${name}: ${(error as Error).message}`, {
        queue: name,
        operation: 'CreateQueue',
        cause: error,
      });
    }
  }
  try {
    const existing = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    const url = requireValue(existing.QueueUrl, name, 'GetQueueUrl returned no QueueUrl');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
    return url;
  } catch (error) {
    throw new LocalStackError(`cannot update the attributes of SQS queue ${name}: ${(error as Error).message}`, {
      queue: name,
      operation: 'SetQueueAttributes',
      cause: error,
    });
  }
}

/** Matches `QueueNameExists` as AWS names it, and `AWS.SimpleQueueService.QueueNameExists` as query-compatible servers do. */
function isQueueNameExists(error: unknown): boolean {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && /(^|\.)(QueueNameExists|QueueAlreadyExists)$/.test(name);
}

async function readQueueArn(sqs: SQSClient, url: string, name: string): Promise<string> {
  try {
    const result = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    return requireValue(result.Attributes?.QueueArn, name, 'GetQueueAttributes returned no QueueArn');
  } catch (error) {
    if (error instanceof LocalStackError) {
      throw error;
    }
    throw new LocalStackError(`cannot read the ARN of SQS queue ${name} at ${url}: ${(error as Error).message}`, {
      queue: name,
      operation: 'GetQueueAttributes',
      cause: error,
    });
  }
}

function requireValue(value: string | undefined, queue: string, problem: string): string {
  if (value === undefined || value === '') {
    throw new LocalStackError(`${problem} for SQS queue ${queue}`, { queue });
  }
  return value;
}
