import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import type { Services } from '../clients';
import { LeaseLostError, SluiceError } from '../errors';
import { computeBackoffMs } from '../jobs/backoff';
import type { JobDocument, JobError } from '../jobs/job';
import { JobState } from '../jobs/states';
import { describeError, jobLogger } from '../observability/logger';
import { countMetric, JobMetric, recordAttemptDuration } from '../observability/metrics';
import { SQS_MAX_DELAY_SECONDS, type QueueDefinition } from '../queues/definitions';
import { jobMessageSchema, type JobMessage } from '../sqs/messages';
import { sendDueJobs } from '../enqueue/enqueue';
import { admitJob, type Admission } from '../ratelimit/gate';
import { hasLimits, resolveLimits } from '../ratelimit/limits';
import { deferJob } from '../store/defer-job';
import { buryJob, claimJob, completeJob, findJob, scheduleRetry } from '../store/job-store';
import { isClaimable } from './claimable';
import { runAttempt, type AttemptOutcome } from './run-attempt';

/** Time kept back from the function's remaining time to record the outcome after a handler times out. */
const RECORD_OUTCOME_RESERVE_MS = 3_000;
/** A message that arrives at most this long before its job is due waits in the function instead of going back to SQS. */
const MAX_EARLY_ARRIVAL_WAIT_MS = 1_500;

/** Milliseconds until a ready job is due; 0 when due or not waiting to run. */
function msUntilDue(job: JobDocument, now: Date): number {
  const ready = job.state === JobState.queued || job.state === JobState.delayed;
  return ready ? Math.max(0, job.runAt.getTime() - now.getTime()) : 0;
}

/** A lease outlives the function timeout by this much, so it never expires under a live worker. */
const LEASE_MARGIN_MS = 10_000;
/**
 * A rate-limit wait up to this long is slept through in the function instead of a round trip
 * through SQS, whose delays have whole-second granularity.
 */
const MAX_INLINE_LIMIT_WAIT_MS = 2_000;

/** An SQS message that does not carry a job of the function's queue; it is logged and acknowledged. */
export class MalformedMessageError extends SluiceError {}

export interface ProcessContext {
  services: Services;
  queue: QueueDefinition;
  logger: Logger;
  /** Milliseconds left before Lambda stops the invocation. */
  remainingTimeMs: () => number;
  now?: () => Date;
}

function parseMessage(record: SQSRecord, queue: QueueDefinition): JobMessage {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (error) {
    throw new MalformedMessageError(`SQS message ${record.messageId} is not JSON`, { queue: queue.name, cause: error });
  }
  const parsed = jobMessageSchema.safeParse(body);
  if (!parsed.success || parsed.data.queue !== queue.name) {
    throw new MalformedMessageError(`SQS message ${record.messageId} does not carry a job of queue ${queue.name}`, { queue: queue.name });
  }
  return parsed.data;
}

/**
 * Handles a message whose job cannot be claimed: a duplicate delivery, a finished job, or a
 * message that arrived before the job is due (sent again with the remaining delay).
 */
async function handleUnclaimed(context: ProcessContext, job: JobDocument | null, now: Date, logger: Logger): Promise<void> {
  if (!job) {
    logger.warn('message skipped: job not found');
    return;
  }
  const notDue = (job.state === JobState.queued || job.state === JobState.delayed) && job.runAt.getTime() > now.getTime();
  if (notDue) {
    logger.info('message arrived before the job is due; sending it again with the remaining delay', { runAt: job.runAt.toISOString() });
    await sendDueJobs(context.services, context.queue, [{ ...job, outbox: true }], now);
    return;
  }
  logger.info('message skipped: duplicate delivery', { state: job.state });
}

function toJobError(outcome: Extract<AttemptOutcome, { kind: 'failed' }>, attempt: number, now: Date, permanent: boolean): JobError {
  return { name: outcome.error.name, message: outcome.error.message, attempt, at: now, permanent };
}

/** Records the attempt's outcome with the lease token, and sends the retry's message when it is due soon. */
async function recordOutcome(context: ProcessContext, job: JobDocument, leaseToken: string, outcome: AttemptOutcome, logger: Logger): Promise<JobDocument> {
  const { services, queue } = context;
  const now = context.now?.() ?? new Date();
  if (outcome.kind === 'succeeded') {
    return completeJob(services.jobs, job._id, leaseToken, outcome.result, now, services.config.SLUICE_COMPLETED_RETENTION_SECONDS);
  }
  const lastAttempt = job.attempts >= job.maxAttempts;
  if (outcome.permanent || lastAttempt) {
    return buryJob(services.jobs, job._id, leaseToken, toJobError(outcome, job.attempts, now, outcome.permanent), now, services.config.SLUICE_DEAD_RETENTION_SECONDS);
  }
  const retryPolicy = services.jobTypes.get(job.type).retry;
  const delayMs = outcome.retryAfterMs ?? computeBackoffMs(job.attempts, retryPolicy);
  const retryAt = new Date(now.getTime() + delayMs);
  const retried = await scheduleRetry(services.jobs, job._id, leaseToken, toJobError(outcome, job.attempts, now, false), retryAt, now);
  if (delayMs <= SQS_MAX_DELAY_SECONDS * 1000) {
    await sendDueJobs(services, queue, [retried], now);
  }
  logger.debug('retry scheduled', { retryAt: retryAt.toISOString() });
  return retried;
}

/**
 * Sends a job that may not run yet (no rate-limit token or concurrency slot) back to SQS with the
 * wait as its delay, without spending an attempt. The current message is acknowledged, so rate
 * limiting never moves a job toward the dead-letter queue. A wait beyond SQS's 900 s maximum
 * leaves the job in the outbox for dispatch.
 */
async function deferToLater(context: ProcessContext, job: JobDocument, waitMs: number, reason: string, now: Date, logger: Logger): Promise<void> {
  const deferred = await deferJob(context.services.jobs, job._id, new Date(now.getTime() + waitMs), now);
  if (!deferred) {
    logger.info('deferral skipped: the job changed meanwhile');
    return;
  }
  countMetric(JobMetric.deferred);
  logger.info('job deferred', { reason, waitMs, deferrals: deferred.deferrals });
  await sendDueJobs(context.services, context.queue, [deferred], now);
  await context.services.statusCache.putQuietly([deferred], logger);
}

/** Checks the queue's rate and concurrency limits for `job`; a job whose limit keys are missing runs unlimited. */
async function admit(context: ProcessContext, job: JobDocument, leaseToken: string, leaseMs: number, logger: Logger): Promise<Admission> {
  let limits;
  try {
    limits = resolveLimits(context.queue, job);
  } catch (error) {
    logger.warn('job lacks a limit key; running it without limits', { error: describeError(error) });
    return { admitted: true, release: async () => {} };
  }
  if (!hasLimits(limits)) {
    return { admitted: true, release: async () => {} };
  }
  const { services, queue } = context;
  return admitJob(services.limiter, limits, {
    queue,
    leaseToken,
    leaseMs,
    // Half the remaining time at most, so the attempt keeps the rest.
    maxInlineWaitMs: Math.min(MAX_INLINE_LIMIT_WAIT_MS, Math.max(0, context.remainingTimeMs() / 2)),
    redisFailures: services.redisFailures,
    readyTimeoutMs: services.config.REDIS_TIMEOUT_MS,
  });
}

/**
 * Processes one SQS record: takes the job's rate-limit tokens and concurrency leases, claims the
 * job with a fresh lease token, runs one attempt, and records the outcome. A job that may not run
 * yet is deferred without spending an attempt. Job errors never escape: they become retries or
 * `dead`. A malformed message is logged (its id and the problem, never its body) and acknowledged:
 * delivering it again cannot fix it, and no job is lost because every job lives in MongoDB. It
 * throws only when MongoDB fails, so the record is reported in `batchItemFailures` and SQS delivers
 * it again.
 */
export async function processMessage(record: SQSRecord, context: ProcessContext): Promise<void> {
  let message: JobMessage;
  try {
    message = parseMessage(record, context.queue);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) {
      throw error;
    }
    context.logger.error('malformed SQS message acknowledged: it carries no job', { messageId: record.messageId, queue: context.queue.name, error: describeError(error) });
    return;
  }
  let now = context.now?.() ?? new Date();
  const leaseToken = randomUUID();
  const leaseMs = context.queue.timeoutSeconds * 1000 + LEASE_MARGIN_MS;
  const baseLogger = jobLogger(context.logger, { jobId: message.jobId, queue: context.queue.name });

  let current = await findJob(context.services.jobs, message.jobId);
  const earlyMs = current ? msUntilDue(current, now) : 0;
  if (current && earlyMs > 0 && earlyMs <= MAX_EARLY_ARRIVAL_WAIT_MS) {
    // Sends round delays down to whole seconds, so a message may arrive up to a second early.
    await new Promise((resolve) => setTimeout(resolve, earlyMs));
    now = context.now?.() ?? new Date();
    current = await findJob(context.services.jobs, message.jobId);
  }
  if (!current || !isClaimable(current, now)) {
    await handleUnclaimed(context, current, now, baseLogger);
    return;
  }
  const admission = await admit(context, current, leaseToken, leaseMs, baseLogger);
  if (!admission.admitted) {
    await deferToLater(context, current, admission.waitMs, admission.reason, now, baseLogger);
    return;
  }
  try {
    await runClaimed(context, message.jobId, leaseToken, leaseMs, baseLogger);
  } finally {
    await admission.release();
  }
}

/** Claims the job, runs one attempt and records its outcome. */
async function runClaimed(context: ProcessContext, jobId: string, leaseToken: string, leaseMs: number, baseLogger: Logger): Promise<void> {
  const now = context.now?.() ?? new Date();
  const job = await claimJob(context.services.jobs, jobId, { leaseToken, leaseMs, now });
  if (!job) {
    await handleUnclaimed(context, await findJob(context.services.jobs, jobId), now, baseLogger);
    return;
  }
  const logger = jobLogger(context.logger, { jobId: job._id, queue: job.queue, attempt: job.attempts });
  await context.services.statusCache.putQuietly([job], logger);

  const startedAt = Date.now();
  const outcome: AttemptOutcome =
    job.attempts > job.maxAttempts
      ? { kind: 'failed', error: new Error('the lease of the last attempt expired before it finished'), permanent: false, retryAfterMs: undefined }
      : await runAttempt(job, context.services.jobTypes, logger, Math.max(1_000, context.remainingTimeMs() - RECORD_OUTCOME_RESERVE_MS));
  const durationMs = Date.now() - startedAt;

  let recorded: JobDocument;
  try {
    recorded = await recordOutcome(context, job, leaseToken, outcome, logger);
  } catch (error) {
    if (error instanceof LeaseLostError) {
      logger.warn('attempt outcome rejected: the lease was taken over by another worker', { outcome: outcome.kind, durationMs });
      return;
    }
    throw error;
  }
  await context.services.statusCache.putQuietly([recorded], logger);

  recordAttemptDuration(durationMs);
  const fields = { state: recorded.state, durationMs, ...(recorded.lastError && outcome.kind === 'failed' ? { error: { name: recorded.lastError.name, message: recorded.lastError.message } } : {}) };
  if (recorded.state === JobState.completed) {
    countMetric(JobMetric.completed);
    logger.info('attempt succeeded', fields);
  } else if (recorded.state === JobState.dead) {
    countMetric(JobMetric.dead);
    logger.error('attempt failed; job is dead', fields);
  } else {
    countMetric(JobMetric.retried);
    logger.warn('attempt failed; retry scheduled', { ...fields, runAt: recorded.runAt.toISOString() });
  }
}
