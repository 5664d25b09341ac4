import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import type { Services } from '../clients';
import { SluiceError } from '../errors';
import { computeBackoffMs } from '../jobs/backoff';
import type { JobDocument, JobError } from '../jobs/job';
import { JobState } from '../jobs/states';
import { describeError, jobLogger } from '../observability/logger';
import { countMetric, JobMetric, JobTiming, recordTiming } from '../observability/metrics';
import type { QueueDefinition } from '../queues/definitions';
import { jobMessageSchema, type JobMessage } from '../sqs/messages';
import { sendDueJobs } from '../enqueue/enqueue';
import { admitJob, type Admission } from '../ratelimit/gate';
import { hasLimits, resolveLimits } from '../ratelimit/limits';
import { deferJob } from '../store/defer-job';
import { claimJob, findJob } from '../store/job-store';
import type { OutcomeTransition } from '../store/record-outcomes';
import { isClaimable } from './claimable';
import { batchOutcomeWriter, OutcomeBatch, type OutcomeSlot } from './outcome-batch';
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
  /** Collects the invocation's outcomes into one bulk write; without it each record writes its own. */
  outcomes?: OutcomeBatch;
  /** Runs a record's attempt under the invocation's record concurrency limit; without it the attempt runs at once. */
  runLimited?: <T>(task: () => Promise<T>) => Promise<T>;
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

/** Returns the transition that records the attempt's outcome: completion, a retry after backoff, or `dead`. */
function transitionFor(context: ProcessContext, job: JobDocument, outcome: AttemptOutcome, now: Date): OutcomeTransition {
  const { config } = context.services;
  if (outcome.kind === 'succeeded') {
    return { kind: 'complete', result: outcome.result, retentionSeconds: config.SLUICE_COMPLETED_RETENTION_SECONDS, attempt: job.attempts };
  }
  const lastAttempt = job.attempts >= job.maxAttempts;
  if (outcome.permanent || lastAttempt) {
    return { kind: 'bury', error: toJobError(outcome, job.attempts, now, outcome.permanent), retentionSeconds: config.SLUICE_DEAD_RETENTION_SECONDS };
  }
  const retryPolicy = context.services.jobTypes.get(job.type).retry;
  const delayMs = outcome.retryAfterMs ?? computeBackoffMs(job.attempts, retryPolicy);
  return { kind: 'retry', error: toJobError(outcome, job.attempts, now, false), runAt: new Date(now.getTime() + delayMs) };
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
  countMetric(JobMetric.rateLimited);
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

/** An attempt that ran under a claim and waits for its outcome to be recorded. */
interface FinishedAttempt {
  job: JobDocument;
  leaseToken: string;
  outcome: AttemptOutcome;
  durationMs: number;
  logger: Logger;
  release: () => Promise<void>;
}

async function runTask<T>(task: () => Promise<T>): Promise<T> {
  return task();
}

/** Tells whether `queue` defines any rate or concurrency limit, which needs the job before the claim. */
function queueHasLimits(queue: QueueDefinition): boolean {
  return queue.rateLimits.length > 0 || queue.concurrencyLimits.length > 0;
}

const releaseNothing = async (): Promise<void> => {};

/**
 * Processes one SQS record: takes the job's rate-limit tokens and concurrency leases, claims the
 * job with a fresh lease token, runs one attempt, and records the outcome (with the rest of the
 * batch when `context.outcomes` collects them). A job that may not run yet is deferred without
 * spending an attempt. Job errors never escape: they become retries or `dead`. A malformed message
 * is logged (its id and the problem, never its body) and acknowledged: delivering it again cannot
 * fix it, and no job is lost because every job lives in MongoDB. It throws only when MongoDB
 * fails, so the record is reported in `batchItemFailures` and SQS delivers it again.
 */
export async function processMessage(record: SQSRecord, context: ProcessContext): Promise<void> {
  const outcomes = context.outcomes ?? new OutcomeBatch(batchOutcomeWriter(context.services, context.queue, context.logger, context.now), 1);
  const slot = outcomes.slot();
  try {
    // The record concurrency limit covers the attempt only: waiting for the batch's bulk write
    // inside it would hold a slot that a record not yet started needs.
    const attempt = await (context.runLimited ?? runTask)(() => startMessage(record, context));
    if (attempt) {
      await finishAttempt(context, attempt, slot);
    }
  } finally {
    slot.close();
  }
}

/** Runs the record up to its attempt's outcome; returns undefined when no attempt ran. */
async function startMessage(record: SQSRecord, context: ProcessContext): Promise<FinishedAttempt | undefined> {
  let message: JobMessage;
  try {
    message = parseMessage(record, context.queue);
  } catch (error) {
    if (!(error instanceof MalformedMessageError)) {
      throw error;
    }
    context.logger.error('malformed SQS message acknowledged: it carries no job', { messageId: record.messageId, queue: context.queue.name, error: describeError(error) });
    return undefined;
  }
  let now = context.now?.() ?? new Date();
  const leaseToken = randomUUID();
  const leaseMs = context.queue.timeoutSeconds * 1000 + LEASE_MARGIN_MS;

  if (!queueHasLimits(context.queue)) {
    // Without limits nothing needs the job before the claim, so a due job costs one MongoDB round
    // trip less. A failed claim (early, duplicate or missing job) takes the path below.
    const claimed = await claimJob(context.services.jobs, message.jobId, { leaseToken, leaseMs, now });
    if (claimed) {
      return { ...(await runClaimedJob(context, claimed, leaseToken, now)), release: releaseNothing };
    }
  }

  let current = await findJob(context.services.jobs, message.jobId);
  const baseLogger = jobLogger(context.logger, { jobId: message.jobId, queue: context.queue.name, ...(current ? { type: current.type } : {}) });
  const earlyMs = current ? msUntilDue(current, now) : 0;
  if (current && earlyMs > 0 && earlyMs <= MAX_EARLY_ARRIVAL_WAIT_MS) {
    // Sends round delays down to whole seconds, so a message may arrive up to a second early.
    await new Promise((resolve) => setTimeout(resolve, earlyMs));
    now = context.now?.() ?? new Date();
    current = await findJob(context.services.jobs, message.jobId);
  }
  if (!current || !isClaimable(current, now)) {
    await handleUnclaimed(context, current, now, baseLogger);
    return undefined;
  }
  const admission = await admit(context, current, leaseToken, leaseMs, baseLogger);
  if (!admission.admitted) {
    await deferToLater(context, current, admission.waitMs, admission.reason, now, baseLogger);
    return undefined;
  }
  let ran: Omit<FinishedAttempt, 'release'> | undefined;
  try {
    ran = await runClaimed(context, message.jobId, leaseToken, leaseMs, baseLogger);
  } catch (error) {
    await admission.release();
    throw error;
  }
  if (!ran) {
    await admission.release();
    return undefined;
  }
  // The leases stay held until the outcome is recorded, and finishAttempt releases them.
  return { ...ran, release: admission.release };
}

/** Milliseconds from when the job was due (the later of `runAt` and `createdAt`) to `startedAt`. */
export function queueWaitMs(job: JobDocument, startedAt: Date): number {
  const dueAt = Math.max(job.runAt.getTime(), job.createdAt.getTime());
  return Math.max(0, startedAt.getTime() - dueAt);
}

/** Claims the job and runs one attempt; returns undefined when the claim fails. */
async function runClaimed(context: ProcessContext, jobId: string, leaseToken: string, leaseMs: number, baseLogger: Logger): Promise<Omit<FinishedAttempt, 'release'> | undefined> {
  const now = context.now?.() ?? new Date();
  const job = await claimJob(context.services.jobs, jobId, { leaseToken, leaseMs, now });
  if (!job) {
    await handleUnclaimed(context, await findJob(context.services.jobs, jobId), now, baseLogger);
    return undefined;
  }
  return runClaimedJob(context, job, leaseToken, now);
}

/** Runs one attempt of a job claimed at `now` with `leaseToken`. */
async function runClaimedJob(context: ProcessContext, job: JobDocument, leaseToken: string, now: Date): Promise<Omit<FinishedAttempt, 'release'>> {
  const logger = jobLogger(context.logger, { jobId: job._id, queue: job.queue, type: job.type, attempt: job.attempts });
  await context.services.statusCache.putQuietly([job], logger);
  countMetric(JobMetric.started);
  recordTiming(JobTiming.queueWait, queueWaitMs(job, now));

  const startedAt = Date.now();
  const outcome: AttemptOutcome =
    job.attempts > job.maxAttempts
      ? { kind: 'failed', error: new Error('the lease of the last attempt expired before it finished'), permanent: false, retryAfterMs: undefined }
      : await runAttempt(job, context.services.jobTypes, logger, Math.max(1_000, context.remainingTimeMs() - RECORD_OUTCOME_RESERVE_MS));
  return { job, leaseToken, outcome, durationMs: Date.now() - startedAt, logger };
}

/** Records the attempt's outcome through the batch, then releases the job's concurrency leases and logs the outcome. */
async function finishAttempt(context: ProcessContext, attempt: FinishedAttempt, slot: OutcomeSlot): Promise<void> {
  const { job, leaseToken, outcome, durationMs, logger } = attempt;
  const now = context.now?.() ?? new Date();
  let recorded: JobDocument | null;
  try {
    recorded = await slot.record({ job, leaseToken, now, transition: transitionFor(context, job, outcome, now) });
  } finally {
    await attempt.release();
  }
  if (!recorded) {
    logger.warn('attempt outcome rejected: the lease was taken over by another worker', { outcome: outcome.kind, durationMs });
    return;
  }

  recordTiming(JobTiming.runTime, durationMs);
  if (outcome.kind === 'failed') {
    countMetric(JobMetric.failed);
  }
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
