import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { retryDelayMs, sleep } from './backoff';
import { decideBatchOutcome, selectRecordsToDelete, type BatchOutcome } from './batch-response';
import { gatherBatch } from './gather-batch';
import { deleteMessages, releaseMessages } from './message-batches';
import { queueNameOf, type EventSourceMapping } from './mapping';
import { describeError, type ProgressReporter } from './progress';
import { Semaphore } from './semaphore';
import { toSqsRecord } from './sqs-event';
import { emptyCounts, InFlightGauge, type MappingStats } from './stats';

/** A mapping prints a summary of its counters at most this often, and only after new invocations. */
const SUMMARY_INTERVAL_MS = 30_000;

export interface MappingPollerOptions {
  sqs: SQSClient;
  lambda: LambdaClient;
  mapping: EventSourceMapping;
  /** Region written into each record's `awsRegion`. */
  awsRegion: string;
  /** `WaitTimeSeconds` of each ReceiveMessage call, which bounds how long stopping takes. */
  receiveWaitSeconds: number;
  progress: ProgressReporter;
  /** Gauge shared by all mappings, for the total `maxInFlight`. */
  totalInFlight: InFlightGauge;
  /** Aborts when the poller stops: no receive starts after that. */
  signal: AbortSignal;
}

/**
 * Polls one queue for one function the way Lambda's SQS event source mapping does: gathers a batch,
 * invokes the function synchronously, and deletes the records the function did not report as failed.
 * At most `maxConcurrency` invocations run at once, and a batch is received only when a slot is free,
 * so no message sits invisible while waiting for a slot.
 */
export class MappingPoller {
  private readonly counts = emptyCounts();
  private readonly inFlight = new InFlightGauge();
  private readonly slots: Semaphore;
  private readonly invocations = new Set<Promise<void>>();
  private readonly queueName: string;
  private loop: Promise<void> = Promise.resolve();
  /** Consecutive failed receives, and consecutive invoke errors; each streak sets its own backoff. */
  private readonly receiveFailures: FailureStreak;
  private readonly invokeFailures: FailureStreak;
  /** Time (epoch ms) before which no receive starts, set by the backoff after a failure. */
  private retryAt = 0;
  private lastSummaryAt = Date.now();
  private invocationsAtLastSummary = 0;

  constructor(private readonly options: MappingPollerOptions) {
    this.slots = new Semaphore(options.mapping.maxConcurrency);
    this.queueName = queueNameOf(options.mapping);
    const { queueUrl, functionName } = options.mapping;
    this.receiveFailures = { count: 0, errorKind: `receive:${queueUrl}`, operation: `receiving from ${queueUrl}` };
    this.invokeFailures = { count: 0, errorKind: `invoke:${functionName}`, operation: `invoking ${functionName}` };
  }

  start(): void {
    this.loop = this.run().catch((error: unknown) => {
      this.options.progress.error(
        `poller:${this.options.mapping.queueUrl}`,
        `event source: polling ${this.options.mapping.queueUrl} stopped after an unexpected error: ${describeError(error)}`,
      );
    });
  }

  /** Resolves once the receive loop has exited (after the signal aborts) and every invocation has settled. */
  async drain(): Promise<void> {
    await this.loop;
    while (this.invocations.size > 0) {
      await Promise.all([...this.invocations]);
    }
  }

  stats(): MappingStats {
    const { queueUrl, functionName } = this.options.mapping;
    return { ...this.counts, inFlight: this.inFlight.current, maxInFlight: this.inFlight.max, queueUrl, functionName };
  }

  /** Prints this mapping's counters as one line. */
  summarize(): void {
    const { invocations, records, deleted, failedRecords, failedInvocations } = this.counts;
    this.options.progress.info(
      `event source: ${this.queueName} → ${this.options.mapping.functionName}: ${invocations} invocations, ` +
        `${records} records, ${deleted} deleted, ${failedRecords} left for retry, ${failedInvocations} failed invocations`,
    );
    this.lastSummaryAt = Date.now();
    this.invocationsAtLastSummary = invocations;
  }

  private async run(): Promise<void> {
    const { signal } = this.options;
    while (!signal.aborted) {
      await sleep(this.retryAt - Date.now(), signal);
      if (!(await this.slots.acquire(signal))) {
        return;
      }
      const records = await this.receiveBatch();
      if (records.length === 0) {
        this.slots.release();
        continue;
      }
      const invocation = this.invokeAndSettle(records).finally(() => {
        this.slots.release();
        this.invocations.delete(invocation);
      });
      this.invocations.add(invocation);
    }
  }

  /** Gathers one batch; records past the 6 MB payload limit are made visible again for the next batch. */
  private async receiveBatch(): Promise<SQSRecord[]> {
    const { mapping, receiveWaitSeconds, signal } = this.options;
    const { records, overflow } = await gatherBatch({
      batchSize: mapping.batchSize,
      maximumBatchingWindowSeconds: mapping.maximumBatchingWindowSeconds,
      receiveWaitSeconds,
      receive: (maxMessages, waitSeconds) => this.receive(maxMessages, waitSeconds),
      toRecord: (message) => this.toRecord(message),
      signal,
    });
    if (overflow.length > 0) {
      const result = await releaseMessages(this.options.sqs, mapping.queueUrl, overflow);
      const [first] = result.failures;
      if (first !== undefined) {
        this.options.progress.error(
          `release:${mapping.queueUrl}`,
          `event source: making ${result.failures.length} messages visible again in ${mapping.queueUrl} failed ` +
            `(first: ${first.messageId}: ${first.reason}); they return after the queue's visibility timeout`,
        );
      }
    }
    return records;
  }

  /** Receives messages; on failure reports it with the queue URL, schedules a retry with backoff and returns none. */
  private async receive(maxMessages: number, waitSeconds: number): Promise<Message[]> {
    const { queueUrl } = this.options.mapping;
    try {
      const output = await this.options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: maxMessages,
          WaitTimeSeconds: waitSeconds,
          // AttributeNames is deprecated in favour of MessageSystemAttributeNames, but older emulators read only it.
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      this.recordSuccess(this.receiveFailures);
      return output.Messages ?? [];
    } catch (error) {
      this.counts.receiveErrors += 1;
      const delayMs = this.recordFailure(this.receiveFailures);
      const hint = (error as Error | undefined)?.name === 'QueueDoesNotExist' ? '; create the queue or fix the mapping queueUrl' : '';
      this.options.progress.error(
        this.receiveFailures.errorKind,
        `event source: receiving from ${queueUrl} failed (${describeError(error)})${hint}; retrying in ${delayMs} ms`,
      );
      return [];
    }
  }

  private toRecord(message: Message): SQSRecord | undefined {
    const { queueArn, queueUrl } = this.options.mapping;
    try {
      return toSqsRecord(message, { queueArn, awsRegion: this.options.awsRegion });
    } catch (error) {
      this.options.progress.error(`record:${queueUrl}`, `event source: skipped a message from ${queueUrl}: ${describeError(error)}`);
      return undefined;
    }
  }

  /** Invokes the function with one batch and deletes what it succeeded on. Never rejects. */
  private async invokeAndSettle(records: SQSRecord[]): Promise<void> {
    const { mapping, progress } = this.options;
    const outcome = await this.invoke(records);
    this.counts.invocations += 1;
    this.counts.records += records.length;

    const toDelete = selectRecordsToDelete(records, outcome);
    this.counts.failedRecords += records.length - toDelete.length;
    if (outcome.kind === 'keepAll') {
      this.counts.failedInvocations += 1;
      progress.error(
        this.invokeFailures.errorKind,
        `event source: ${mapping.functionName} failed on ${records.length} records from ${this.queueName} (${outcome.reason}); ` +
          `they return after the queue's visibility timeout`,
      );
    }

    if (toDelete.length > 0) {
      const result = await deleteMessages(this.options.sqs, mapping.queueUrl, toDelete);
      this.counts.deleted += result.succeeded;
      this.counts.deleteErrors += result.failures.length;
      const [first] = result.failures;
      if (first !== undefined) {
        progress.error(
          `delete:${mapping.queueUrl}`,
          `event source: deleting ${result.failures.length} messages from ${mapping.queueUrl} failed ` +
            `(first: ${first.messageId}: ${first.reason}); SQS delivers them again`,
        );
      }
    }

    if (this.counts.invocations > this.invocationsAtLastSummary && Date.now() - this.lastSummaryAt >= SUMMARY_INTERVAL_MS) {
      this.summarize();
    }
  }

  /** Invokes the function synchronously and decides the outcome; an invoke error keeps the whole batch. */
  private async invoke(records: SQSRecord[]): Promise<BatchOutcome> {
    const { mapping, lambda } = this.options;
    const event: SQSEvent = { Records: records };
    this.inFlight.enter();
    this.options.totalInFlight.enter();
    try {
      const output = await lambda.send(
        new InvokeCommand({
          FunctionName: mapping.functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(event)),
        }),
      );
      this.recordSuccess(this.invokeFailures);
      const payloadText = output.Payload === undefined ? '' : new TextDecoder().decode(output.Payload);
      const messageIds = new Set(records.map((record) => record.messageId));
      return decideBatchOutcome({ functionError: output.FunctionError, payloadText }, messageIds, mapping.reportBatchItemFailures ?? true);
    } catch (error) {
      // The function never ran (not found, throttled, endpoint down). Receiving pauses for the backoff delay,
      // so an endpoint that is down gets one failed batch per delay instead of one per receive.
      const delayMs = this.recordFailure(this.invokeFailures);
      return { kind: 'keepAll', reason: `invoke failed: ${describeError(error)}; receiving again in ${delayMs} ms` };
    } finally {
      this.inFlight.exit();
      this.options.totalInFlight.exit();
    }
  }

  /** Counts a failure and pushes the next receive back by the streak's backoff delay; returns that delay. */
  private recordFailure(streak: FailureStreak): number {
    streak.count += 1;
    const delayMs = retryDelayMs(streak.count);
    this.retryAt = Math.max(this.retryAt, Date.now() + delayMs);
    return delayMs;
  }

  /** Ends a failure streak, and reports the recovery when there was one. */
  private recordSuccess(streak: FailureStreak): void {
    if (streak.count === 0) {
      return;
    }
    this.options.progress.info(`event source: ${streak.operation} works again after ${streak.count} failed attempts`);
    this.options.progress.reset(streak.errorKind);
    streak.count = 0;
  }
}

interface FailureStreak {
  count: number;
  /** Groups this streak's error lines in the progress reporter. */
  errorKind: string;
  /** Operation name for the recovery line, for example `receiving from <queue URL>`. */
  operation: string;
}
