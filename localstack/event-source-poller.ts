/**
 * A local stand-in for Lambda's SQS event source mapping: long-polls SQS queues and invokes Lambda
 * functions through the Lambda Invoke API (for example `serverless offline` on its `lambdaPort`),
 * honouring batch size, batching window, maximum concurrency and partial batch responses.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError } from '../lib/errors';
import { queueNameOf, regionOfQueueArn, validateEventSourceMappings, type EventSourceMapping } from './event-source/mapping';
import { MappingPoller } from './event-source/mapping-poller';
import { ProgressReporter, type ProgressListener } from './event-source/progress';
import { InFlightGauge, sumCounts, type PollerStats } from './event-source/stats';

export type { EventSourceMapping } from './event-source/mapping';
export type { ProgressLevel, ProgressListener } from './event-source/progress';
export type { EventSourceCounts, MappingStats, PollerStats } from './event-source/stats';

/** SQS accepts a long-poll `WaitTimeSeconds` from 0 to 20. */
const SQS_MAX_WAIT_TIME_SECONDS = 20;
const DEFAULT_RECEIVE_WAIT_SECONDS = 1;
const DEFAULT_STOP_TIMEOUT_MS = 30_000;

export interface EventSourcePollerOptions {
  /** Client for the SQS endpoint that owns the mapped queues. The poller never closes it. */
  sqs: SQSClient;
  /** Client for the Lambda Invoke API, such as `serverless offline` on `http://127.0.0.1:3002`. The poller never closes it. */
  lambda: LambdaClient;
  mappings: EventSourceMapping[];
  /** `awsRegion` of every record. Default: the region field of each mapping's queue ARN. */
  region?: string;
  /**
   * Receives progress and error lines. Default: discard them. Successful invocations are counted,
   * not printed: each mapping prints a summary at most every 30 s and once more on stop.
   */
  onProgress?: ProgressListener;
  /** `WaitTimeSeconds` of each receive, 0 to 20. Default 1, so that stop() returns within about a second. */
  receiveWaitSeconds?: number;
  /** How long stop() waits for in-flight invocations before giving up on them. Default 30,000 ms. */
  stopTimeoutMs?: number;
}

export interface EventSourcePoller {
  /**
   * Stops receiving, waits for in-flight invocations and their deletes (at most `stopTimeoutMs`),
   * then resolves. Calling it again returns the same promise. Never rejects.
   */
  stop(): Promise<void>;
  /** Returns a snapshot of the counters, totalled and per mapping. */
  stats(): PollerStats;
}

/**
 * Starts polling every mapping's queue at once and returns a handle to stop it.
 * Throws {@link ConfigError} naming the mapping and field when a mapping or option is invalid; nothing starts then.
 */
export function startEventSourcePoller(options: EventSourcePollerOptions): EventSourcePoller {
  validateEventSourceMappings(options.mappings);
  const receiveWaitSeconds = options.receiveWaitSeconds ?? DEFAULT_RECEIVE_WAIT_SECONDS;
  const stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  validateTimings(receiveWaitSeconds, stopTimeoutMs);

  const controller = new AbortController();
  const progress = new ProgressReporter(options.onProgress ?? (() => {}));
  const totalInFlight = new InFlightGauge();
  const pollers = options.mappings.map(
    (mapping) =>
      new MappingPoller({
        sqs: options.sqs,
        lambda: options.lambda,
        mapping,
        awsRegion: options.region ?? regionOfQueueArn(mapping.queueArn),
        receiveWaitSeconds,
        progress,
        totalInFlight,
        signal: controller.signal,
      }),
  );

  progress.info(`event source: polling ${pollers.length} queues`);
  for (const mapping of options.mappings) {
    progress.info(
      `event source:   ${queueNameOf(mapping)} → ${mapping.functionName} (batch ${mapping.batchSize}, ` +
        `window ${mapping.maximumBatchingWindowSeconds} s, concurrency ${mapping.maxConcurrency})`,
    );
  }
  for (const poller of pollers) {
    poller.start();
  }

  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    controller.abort();
    const drained = await settlesWithin(Promise.all(pollers.map((poller) => poller.drain())), stopTimeoutMs);
    for (const poller of pollers) {
      poller.summarize();
    }
    if (drained) {
      progress.info('event source: stopped');
    } else {
      progress.error(
        'stop',
        `event source: stop timed out after ${stopTimeoutMs} ms with ${totalInFlight.current} invocations in flight; ` +
          `their messages return after the queue's visibility timeout`,
      );
    }
  };

  return {
    stop: () => (stopping ??= stop()),
    stats: () => {
      const mappings = pollers.map((poller) => poller.stats());
      return { ...sumCounts(mappings, totalInFlight), mappings };
    },
  };
}

function validateTimings(receiveWaitSeconds: number, stopTimeoutMs: number): void {
  if (!Number.isInteger(receiveWaitSeconds) || receiveWaitSeconds < 0 || receiveWaitSeconds > SQS_MAX_WAIT_TIME_SECONDS) {
    throw new ConfigError(
      `receiveWaitSeconds ${receiveWaitSeconds} is invalid; use a whole number of seconds from 0 to ${SQS_MAX_WAIT_TIME_SECONDS}`,
      { setting: 'receiveWaitSeconds' },
    );
  }
  if (!Number.isFinite(stopTimeoutMs) || stopTimeoutMs < 0) {
    throw new ConfigError(`stopTimeoutMs ${stopTimeoutMs} is invalid; use a number of milliseconds of 0 or more`, {
      setting: 'stopTimeoutMs',
    });
  }
}

/** Resolves true when `work` settles within `timeoutMs`, false otherwise. */
async function settlesWithin(work: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
