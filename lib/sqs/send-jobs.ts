import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { SQS_MAX_DELAY_SECONDS } from '../queues/definitions';
import type { JobMessage, OutgoingJobMessage } from './messages';

/** SQS takes at most 10 entries per SendMessageBatch request. */
export const SQS_MAX_BATCH_ENTRIES = 10;
/**
 * Bytes of message bodies per SendMessageBatch request: 256 KiB (262,144), SQS's limit until AWS
 * raised it to 1 MiB in 2025. fauxqs 1.9 enforces 1 MiB. The lower value is valid on both and
 * on emulators that still enforce 256 KiB, and costs nothing here because a body carries only
 * a job id and a queue name.
 */
export const SQS_MAX_BATCH_BYTES = 262_144;

export interface SendOutcome {
  sent: string[];
  failed: { jobId: string; error: string }[];
}

function toEntry(message: OutgoingJobMessage, index: number): SendMessageBatchRequestEntry {
  const body: JobMessage = { jobId: message.jobId, queue: message.queue };
  return {
    // Entry ids must be unique within one request; the position is.
    Id: `m${index}`,
    MessageBody: JSON.stringify(body),
    DelaySeconds: Math.min(SQS_MAX_DELAY_SECONDS, Math.max(0, Math.ceil(message.delaySeconds))),
  };
}

/** Splits entries into requests of at most 10 entries and 256 KiB of bodies. */
export function chunkEntries(entries: SendMessageBatchRequestEntry[]): SendMessageBatchRequestEntry[][] {
  const chunks: SendMessageBatchRequestEntry[][] = [];
  let current: SendMessageBatchRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.MessageBody ?? '', 'utf8');
    if (current.length === SQS_MAX_BATCH_ENTRIES || (current.length > 0 && bytes + size > SQS_MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) {
    chunks.push(current);
  }
  return chunks;
}

/**
 * Sends job messages to one queue with SendMessageBatch, within the SQS limits on entries and bytes.
 * Never throws for a failed send: failures are returned per job, so the caller can leave those jobs
 * in the outbox for dispatch.
 */
export async function sendJobMessages(sqs: SQSClient, queueUrl: string, messages: OutgoingJobMessage[]): Promise<SendOutcome> {
  const entries = messages.map(toEntry);
  const jobIdByEntry = new Map(entries.map((entry, index) => [entry.Id as string, (messages[index] as OutgoingJobMessage).jobId]));
  const outcome: SendOutcome = { sent: [], failed: [] };

  await Promise.all(
    chunkEntries(entries).map(async (chunk) => {
      try {
        const response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk }));
        for (const success of response.Successful ?? []) {
          outcome.sent.push(jobIdByEntry.get(success.Id as string) as string);
        }
        for (const failure of response.Failed ?? []) {
          outcome.failed.push({ jobId: jobIdByEntry.get(failure.Id as string) as string, error: `${failure.Code}: ${failure.Message}` });
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        for (const entry of chunk) {
          outcome.failed.push({ jobId: jobIdByEntry.get(entry.Id as string) as string, error: message });
        }
      }
    }),
  );
  return outcome;
}
