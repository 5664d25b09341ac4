import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics in embedded metric format, flushed once per invocation by the `logMetrics`
 * middleware. Namespace `Sluice`; the enqueue and process functions add a `queue` dimension.
 */
export const metrics = new Metrics({ namespace: 'Sluice', serviceName: 'sluice' });

/** Names of the job counters (unit Count). */
export const JobMetric = {
  enqueued: 'JobsEnqueued',
  /** Attempts started: a worker claimed the job. */
  started: 'JobsStarted',
  completed: 'JobsCompleted',
  /** Failed attempts, whether the job is retried or dead. */
  failed: 'JobsFailed',
  retried: 'JobsRetried',
  dead: 'JobsDead',
  dispatched: 'JobsDispatched',
  /** Jobs sent back to SQS because a rate or concurrency limit had no room (or the limiter was unavailable). */
  rateLimited: 'JobsRateLimited',
  /** Events a trigger function dropped because they can never become a job. */
  malformedEvents: 'MalformedEvents',
} as const;

/** Names of the job timings (unit Milliseconds). */
export const JobTiming = {
  /** From when the job was due (the later of `runAt` and `createdAt`) to the start of the attempt. */
  queueWait: 'JobQueueWaitTime',
  /** Duration of one attempt: the handler's run. */
  runTime: 'JobRunTime',
} as const;

export function countMetric(name: (typeof JobMetric)[keyof typeof JobMetric], count = 1): void {
  metrics.addMetric(name, MetricUnit.Count, count);
}

export function recordTiming(name: (typeof JobTiming)[keyof typeof JobTiming], milliseconds: number): void {
  metrics.addMetric(name, MetricUnit.Milliseconds, milliseconds);
}
