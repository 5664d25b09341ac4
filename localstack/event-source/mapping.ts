import { z } from 'zod';
import { ConfigError } from '../../lib/errors';

/** Lambda's SQS event source takes at most 10,000 records per batch (10 for FIFO queues). */
const MAX_BATCH_SIZE = 10_000;
const MAX_FIFO_BATCH_SIZE = 10;
/** Batches over 10 records need a batching window of at least 1 s, as on AWS. */
const MAX_BATCH_SIZE_WITHOUT_WINDOW = 10;
/** Lambda accepts a batching window of at most 300 s. */
const MAX_BATCHING_WINDOW_SECONDS = 300;
/** Lambda's `ScalingConfig.MaximumConcurrency` tops out at 1000. */
const MAX_CONCURRENCY = 1000;

/**
 * One SQS queue feeding one Lambda function, as an AWS event source mapping does
 * (`CreateEventSourceMapping` with an SQS `EventSourceArn`).
 */
export interface EventSourceMapping {
  /** Queue URL exactly as the SQS endpoint returned it (local emulators find queues by this string). */
  queueUrl: string;
  /** Queue ARN, sent to the function as each record's `eventSourceARN`. */
  queueArn: string;
  /** Function name as the Lambda Invoke API expects it. */
  functionName: string;
  /** Maximum records per invocation: 1 to 10,000, or 1 to 10 for a FIFO queue. */
  batchSize: number;
  /** Seconds to keep gathering records before invoking with a partial batch; 0 invokes with what one receive returned. */
  maximumBatchingWindowSeconds: number;
  /**
   * Maximum invocations in flight for this mapping, 1 to 1000. AWS accepts 2 to 1000 for
   * `MaximumConcurrency`; the local poller also takes 1 so a function can be run one batch at a time.
   */
  maxConcurrency: number;
  /**
   * Whether the function reports partial failures with `batchItemFailures`, the local form of
   * `FunctionResponseTypes: ['ReportBatchItemFailures']`. Default true, because every Sluice process
   * function does. When false, any response that is not a function error deletes the whole batch.
   */
  reportBatchItemFailures?: boolean;
}

const mappingSchema = z
  .strictObject({
    queueUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) queue URL such as http://sqs.us-east-1.localhost:4566/000000000000/jobs' }),
    queueArn: z
      .string()
      .regex(/^arn:[\w-]+:sqs:[\w-]+:\d{12}:[\w.-]+$/, 'must be an SQS queue ARN such as arn:aws:sqs:us-east-1:000000000000:jobs'),
    functionName: z.string().min(1, 'must name the function to invoke'),
    batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE),
    maximumBatchingWindowSeconds: z.number().int().min(0).max(MAX_BATCHING_WINDOW_SECONDS),
    maxConcurrency: z.number().int().min(1).max(MAX_CONCURRENCY),
    reportBatchItemFailures: z.boolean().optional(),
  })
  .superRefine((mapping, context) => {
    if (mapping.batchSize > MAX_BATCH_SIZE_WITHOUT_WINDOW && mapping.maximumBatchingWindowSeconds < 1) {
      context.addIssue({
        code: 'custom',
        path: ['maximumBatchingWindowSeconds'],
        message: `batchSize ${mapping.batchSize} is over ${MAX_BATCH_SIZE_WITHOUT_WINDOW}, which Lambda allows only with maximumBatchingWindowSeconds of 1 or more`,
      });
    }
    if (!isFifoQueueArn(mapping.queueArn)) {
      return;
    }
    if (mapping.batchSize > MAX_FIFO_BATCH_SIZE) {
      context.addIssue({
        code: 'custom',
        path: ['batchSize'],
        message: `batchSize ${mapping.batchSize} is over ${MAX_FIFO_BATCH_SIZE}, the maximum for a FIFO queue`,
      });
    }
    if (mapping.maximumBatchingWindowSeconds !== 0) {
      context.addIssue({
        code: 'custom',
        path: ['maximumBatchingWindowSeconds'],
        message: 'must be 0 for a FIFO queue, because Lambda does not support a batching window on FIFO queues',
      });
    }
  });

function isFifoQueueArn(queueArn: string): boolean {
  return queueArn.endsWith('.fifo');
}

/**
 * Checks event source mappings before any polling starts.
 * Throws {@link ConfigError} naming each invalid mapping (by index and function name), field and the accepted range.
 */
export function validateEventSourceMappings(mappings: readonly EventSourceMapping[]): void {
  if (mappings.length === 0) {
    throw new ConfigError('no event source mapping given; pass at least one { queueUrl, queueArn, functionName, ... }', {
      setting: 'mappings',
    });
  }
  const problems: string[] = [];
  mappings.forEach((mapping, index) => {
    const parsed = mappingSchema.safeParse(mapping);
    if (parsed.success) {
      return;
    }
    const label = typeof mapping?.functionName === 'string' ? `mappings.${index} (${mapping.functionName})` : `mappings.${index}`;
    for (const issue of parsed.error.issues) {
      problems.push(`${label}.${issue.path.join('.')}: ${issue.message}`);
    }
  });
  if (problems.length > 0) {
    throw new ConfigError(`invalid event source mapping; fix these fields: ${problems.join('; ')}`, { setting: 'mappings' });
  }
}

/** Returns the region field of an SQS ARN (`arn:aws:sqs:REGION:ACCOUNT:NAME`). */
export function regionOfQueueArn(queueArn: string): string {
  return queueArn.split(':')[3] ?? '';
}

/** Returns the queue name, the last segment of the queue URL, for concise log lines. */
export function queueNameOf(mapping: Pick<EventSourceMapping, 'queueUrl'>): string {
  return mapping.queueUrl.slice(mapping.queueUrl.lastIndexOf('/') + 1);
}
