import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/**
 * CloudWatch metrics in embedded metric format, flushed once per invocation by the `logMetrics`
 * middleware. Namespace `Sluice`; the process functions add a `queue` dimension.
 */
export const metrics = new Metrics({ namespace: 'Sluice', serviceName: 'sluice' });

export const JobMetric = {
  enqueued: 'JobsEnqueued',
  completed: 'JobsCompleted',
  retried: 'JobsRetried',
  dead: 'JobsDead',
  dispatched: 'JobsDispatched',
  deferred: 'JobsDeferred',
  attemptDuration: 'JobAttemptDuration',
  /** Events a trigger function dropped because they can never become a job. */
  malformedEvents: 'MalformedEvents',
} as const;

export function countMetric(name: (typeof JobMetric)[keyof typeof JobMetric], count = 1): void {
  metrics.addMetric(name, MetricUnit.Count, count);
}

export function recordAttemptDuration(durationMs: number): void {
  metrics.addMetric(JobMetric.attemptDuration, MetricUnit.Milliseconds, durationMs);
}
