import type { Message } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';

/** SQS returns at most 10 messages per ReceiveMessage call. */
const SQS_MAX_MESSAGES_PER_RECEIVE = 10;
/**
 * A synchronous Lambda invocation takes a request payload of at most 6 MB (6,291,456 bytes);
 * serverless-offline 14 rejects a larger request body with 413.
 */
export const MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Bytes of the `{"Records":[]}` envelope around the records. */
const EVENT_ENVELOPE_BYTES = Buffer.byteLength('{"Records":[]}');

export interface GatherOptions {
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  /** Upper bound of `WaitTimeSeconds` for each receive. */
  receiveWaitSeconds: number;
  /** Receives up to `maxMessages` messages, long-polling up to `waitSeconds`; resolves [] after a failure it reported. */
  receive: (maxMessages: number, waitSeconds: number) => Promise<Message[]>;
  /** Converts a message into a record; undefined skips the message. */
  toRecord: (message: Message) => SQSRecord | undefined;
  /** Ends gathering early; the records gathered so far are still returned. */
  signal: AbortSignal;
}

export interface GatheredBatch {
  records: SQSRecord[];
  /** Records received after the batch reached the 6 MB payload limit, for the caller to make visible again. */
  overflow: SQSRecord[];
}

/**
 * Receives one batch the way Lambda's SQS poller does. Without a batching window it returns what one
 * receive returned. With a window it keeps receiving until the batch has `batchSize` records, the window
 * (counted from the first record) ends, the event reaches 6 MB, or the signal aborts.
 * An empty batch means one receive found nothing or failed, so the caller can check for stop in between.
 */
export async function gatherBatch(options: GatherOptions): Promise<GatheredBatch> {
  const { batchSize, maximumBatchingWindowSeconds, signal } = options;
  const records: SQSRecord[] = [];
  const overflow: SQSRecord[] = [];
  let payloadBytes = EVENT_ENVELOPE_BYTES;
  let windowEndsAt = Number.POSITIVE_INFINITY;

  while (records.length < batchSize && overflow.length === 0 && !signal.aborted) {
    const remainingMs = windowEndsAt - Date.now();
    if (remainingMs <= 0) {
      break;
    }
    // WaitTimeSeconds is whole seconds, so under 1 s before the window ends a short poll (0) takes what is there.
    const waitSeconds = Math.min(options.receiveWaitSeconds, Math.floor(remainingMs / 1000));
    const maxMessages = Math.min(SQS_MAX_MESSAGES_PER_RECEIVE, batchSize - records.length);
    const messages = await options.receive(maxMessages, waitSeconds);

    for (const message of messages) {
      const record = options.toRecord(message);
      if (record === undefined) {
        continue;
      }
      // One more byte for the comma between records.
      const recordBytes = Buffer.byteLength(JSON.stringify(record)) + 1;
      if (records.length > 0 && (overflow.length > 0 || payloadBytes + recordBytes > MAX_INVOKE_PAYLOAD_BYTES)) {
        overflow.push(record);
        continue;
      }
      records.push(record);
      payloadBytes += recordBytes;
    }

    if (records.length === 0 || maximumBatchingWindowSeconds === 0) {
      break;
    }
    if (windowEndsAt === Number.POSITIVE_INFINITY) {
      windowEndsAt = Date.now() + maximumBatchingWindowSeconds * 1000;
    }
    if (messages.length === 0 && waitSeconds === 0) {
      break;
    }
  }
  return { records, overflow };
}
