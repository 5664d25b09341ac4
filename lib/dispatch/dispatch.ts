import { randomUUID } from 'node:crypto';
import type { Services } from '../clients';
import type { JobDocument } from '../jobs/job';
import { describeError, logger } from '../observability/logger';
import { countMetric, JobMetric } from '../observability/metrics';
import { SQS_MAX_DELAY_SECONDS } from '../queues/definitions';
import { sendQueueJobs } from '../sqs/send-queue-jobs';
import { claimDueJobs, clearDispatchToken, releaseDispatchClaims } from '../store/dispatch-store';
import { materializeSchedules } from '../schedules/materialize';
import { recoverLeases } from './recover-leases';

/** Jobs claimed per round; a run repeats rounds until the backlog is drained or its time is up. */
const DEFAULT_ROUND_SIZE = 500;

export interface DispatchOptions {
  now?: Date;
  roundSize?: number;
  /** Stop starting rounds after this long (keep it under the function timeout). */
  budgetMs?: number;
}

export interface DispatchReport {
  sent: number;
  failed: number;
  rounds: number;
  /** Jobs whose lease expired, sent for another attempt. */
  leasesRetried: number;
  /** Jobs whose lease expired during their last attempt, now dead. */
  leasesDead: number;
  /** Jobs created for cron schedule slots. */
  scheduledJobs: number;
}

function groupByQueue(jobs: JobDocument[]): Map<string, JobDocument[]> {
  const groups = new Map<string, JobDocument[]>();
  for (const job of jobs) {
    const group = groups.get(job.queue) ?? [];
    group.push(job);
    groups.set(job.queue, group);
  }
  return groups;
}

/** Sends one round's claimed jobs, queue by queue; returns how many were sent and how many failed. */
async function sendRound(services: Services, claimed: JobDocument[], token: string, now: Date): Promise<{ sent: number; failed: number }> {
  let sent = 0;
  const failedIds: string[] = [];
  for (const [queueName, jobs] of groupByQueue(claimed)) {
    try {
      const queue = services.queues.get(queueName);
      const outcome = await sendQueueJobs(services, queue, jobs, now);
      sent += outcome.sent.length;
      failedIds.push(...outcome.failed.map((failure) => failure.jobId));
      if (outcome.failed.length > 0) {
        logger.warn('dispatch send failed; the jobs return to the outbox', { queue: queueName, failed: outcome.failed.length, error: outcome.failed[0]?.error });
      }
    } catch (error) {
      failedIds.push(...jobs.map((job) => job._id));
      logger.error('dispatch cannot send to queue; the jobs return to the outbox', { queue: queueName, jobs: jobs.length, error: describeError(error) });
    }
  }
  await releaseDispatchClaims(services.jobs, failedIds, token);
  await clearDispatchToken(services.jobs, token);
  return { sent, failed: failedIds.length };
}

/**
 * Recovers jobs whose lease expired and creates the jobs of cron slots due within 15 minutes.
 * Then sends every job that needs a message and is due within SQS's 900 s delay limit: new jobs
 * whose send failed, long delays coming due, retries waiting in MongoDB, and ready jobs whose
 * message was lost. Each round claims its jobs with its own token, so overlapping runs send a job once.
 */
export async function runDispatch(services: Services, options: DispatchOptions = {}): Promise<DispatchReport> {
  const roundSize = options.roundSize ?? DEFAULT_ROUND_SIZE;
  const startedAt = Date.now();
  const report: DispatchReport = { sent: 0, failed: 0, rounds: 0, leasesRetried: 0, leasesDead: 0, scheduledJobs: 0 };

  // Both send the jobs they write themselves; a failed send leaves a job in the outbox for a later run.
  const startNow = options.now ?? new Date();
  const leases = await recoverLeases(services, startNow);
  report.leasesRetried = leases.retried;
  report.leasesDead = leases.dead;
  report.scheduledJobs = (await materializeSchedules(services, startNow)).created;

  for (;;) {
    const now = options.now ?? new Date();
    const token = randomUUID();
    const claimed = await claimDueJobs(
      services.jobs,
      {
        now,
        horizon: new Date(now.getTime() + SQS_MAX_DELAY_SECONDS * 1000),
        writtenBefore: new Date(now.getTime() - services.config.SLUICE_OUTBOX_GRACE_SECONDS * 1000),
        sentBefore: new Date(now.getTime() - services.config.SLUICE_STALE_MESSAGE_SECONDS * 1000),
        limit: roundSize,
      },
      token,
    );
    if (claimed.length === 0) {
      break;
    }
    const round = await sendRound(services, claimed, token, now);
    report.sent += round.sent;
    report.failed += round.failed;
    report.rounds += 1;
    const outOfTime = options.budgetMs !== undefined && Date.now() - startedAt > options.budgetMs;
    if (claimed.length < roundSize || round.sent === 0 || outOfTime) {
      break;
    }
  }
  countMetric(JobMetric.dispatched, report.sent);
  logger.info('dispatch finished', { ...report });
  return report;
}
