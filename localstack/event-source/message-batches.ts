import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  type BatchResultErrorEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { describeError } from './progress';

/** SQS accepts at most 10 entries per batch request. */
const SQS_MAX_BATCH_ENTRIES = 10;

export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
}

export interface BatchFailure {
  messageId: string;
  /** SQS error code and message, or the request error when the whole request failed. */
  reason: string;
}

export interface BatchRequestResult {
  /** Messages the requests succeeded for. */
  succeeded: number;
  failures: BatchFailure[];
}

/**
 * Deletes messages with DeleteMessageBatch requests of at most 10 entries each.
 * Never throws: a failed entry or request is returned in `failures`, and SQS delivers those messages
 * again after their visibility timeout.
 */
export function deleteMessages(sqs: SQSClient, queueUrl: string, messages: readonly ReceivedMessage[]): Promise<BatchRequestResult> {
  return sendInChunks(messages, async (chunk) => {
    const entries = chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.receiptHandle }));
    const output = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    return { succeeded: output.Successful?.length ?? 0, failed: output.Failed ?? [] };
  });
}

/**
 * Makes received messages visible again at once (ChangeMessageVisibilityBatch with a timeout of 0),
 * in requests of at most 10 entries. Never throws: messages it fails for return after their visibility timeout.
 */
export function releaseMessages(sqs: SQSClient, queueUrl: string, messages: readonly ReceivedMessage[]): Promise<BatchRequestResult> {
  return sendInChunks(messages, async (chunk) => {
    const entries = chunk.map((message, index) => ({ Id: String(index), ReceiptHandle: message.receiptHandle, VisibilityTimeout: 0 }));
    const output = await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    return { succeeded: output.Successful?.length ?? 0, failed: output.Failed ?? [] };
  });
}

/**
 * Sends one batch request per chunk of 10 messages. `send` uses each message's position in its chunk
 * as the entry id, so ids are unique within a request as SQS requires.
 */
async function sendInChunks(
  messages: readonly ReceivedMessage[],
  send: (chunk: readonly ReceivedMessage[]) => Promise<{ succeeded: number; failed: BatchResultErrorEntry[] }>,
): Promise<BatchRequestResult> {
  const result: BatchRequestResult = { succeeded: 0, failures: [] };
  for (let start = 0; start < messages.length; start += SQS_MAX_BATCH_ENTRIES) {
    const chunk = messages.slice(start, start + SQS_MAX_BATCH_ENTRIES);
    try {
      const { succeeded, failed } = await send(chunk);
      result.succeeded += succeeded;
      for (const entry of failed) {
        result.failures.push({
          messageId: chunk[Number(entry.Id)]?.messageId ?? `entry ${entry.Id ?? '?'}`,
          reason: `${entry.Code ?? 'UnknownError'}: ${entry.Message ?? 'no message'}`,
        });
      }
    } catch (error) {
      const reason = describeError(error);
      for (const message of chunk) {
        result.failures.push({ messageId: message.messageId, reason });
      }
    }
  }
  return result;
}
