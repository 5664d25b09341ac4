import type { Services } from '../clients';
import { sendDueJobs } from '../enqueue/enqueue';
import type { JobDocument } from '../jobs/job';
import { describeError, logger } from '../observability/logger';
import { countMetric, JobMetric } from '../observability/metrics';
import { recoverExpiredLeases } from '../store/lease-recovery';

/** Expired leases recovered per dispatch run; the rest wait for the next run. */
const DEFAULT_RECOVERY_LIMIT = 1_000;

export interface LeaseRecoveryReport {
  /** Jobs whose worker died and that were sent for another attempt. */
  retried: number;
  /** Jobs whose worker died during their last attempt. */
  dead: number;
}

/**
 * Recovers jobs whose lease expired (their worker died or stalled) and sends the retried ones
 * at once, queue by queue, instead of leaving them to the outbox sweep's grace period. A failed
 * send leaves them in the outbox for the next run.
 */
export async function recoverLeases(services: Services, now: Date, limit = DEFAULT_RECOVERY_LIMIT): Promise<LeaseRecoveryReport> {
  const recovered = await recoverExpiredLeases(services.jobs, { now, limit, deadRetentionSeconds: services.config.SLUICE_DEAD_RETENTION_SECONDS });
  for (const job of [...recovered.retried, ...recovered.dead]) {
    logger.warn('lease expired before the worker recorded an outcome', { jobId: job._id, queue: job.queue, type: job.type, attempt: job.attempts, state: job.state });
  }

  const byQueue = new Map<string, JobDocument[]>();
  for (const job of recovered.retried) {
    byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
  }
  for (const [queueName, jobs] of byQueue) {
    try {
      await sendDueJobs(services, services.queues.get(queueName), jobs, now);
    } catch (error) {
      logger.warn('sending recovered jobs failed; they stay in the outbox for dispatch', { queue: queueName, jobs: jobs.length, error: describeError(error) });
    }
  }
  await services.statusCache.putQuietly([...recovered.retried, ...recovered.dead], logger);

  // The expired attempt counts as a failed one.
  countMetric(JobMetric.failed, recovered.retried.length + recovered.dead.length);
  countMetric(JobMetric.retried, recovered.retried.length);
  countMetric(JobMetric.dead, recovered.dead.length);
  return { retried: recovered.retried.length, dead: recovered.dead.length };
}
