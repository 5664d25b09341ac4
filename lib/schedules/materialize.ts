import type { Services } from '../clients';
import { buildJob } from '../enqueue/build-job';
import { sendDueJobs } from '../enqueue/enqueue';
import { RequestError } from '../errors';
import type { JobDocument } from '../jobs/job';
import { describeError, logger } from '../observability/logger';
import { SQS_MAX_DELAY_SECONDS } from '../queues/definitions';
import { insertJobs } from '../store/job-store';
import { compileCron, planSlots } from './cron';
import { slotJobId, type ScheduleDocument } from './schedule';
import { advanceSchedule, findDueSchedules, isDuplicateKeyError } from './schedule-store';

/**
 * Slots due within this long are materialised now: 900 s, SQS's maximum DelaySeconds, so each
 * slot's message can wait in SQS and fire at the slot time.
 */
export const SCHEDULE_LOOKAHEAD_MS = SQS_MAX_DELAY_SECONDS * 1000;
/** Schedules materialised per call; the rest wait for the next dispatch run. */
const DEFAULT_SCHEDULE_LIMIT = 1_000;

export interface MaterializeOptions {
  /** Default {@link SCHEDULE_LOOKAHEAD_MS}. */
  lookaheadMs?: number;
  /** Default 1,000 schedules. */
  limit?: number;
}

/** Builds the job of one slot like an enqueued job, with the slot's deterministic id. */
function buildSlotJob(services: Services, schedule: ScheduleDocument, slot: Date, now: Date): JobDocument {
  const request = {
    type: schedule.job.type,
    payload: schedule.job.payload,
    runAt: slot.toISOString(),
    ...(schedule.job.maxAttempts === null ? {} : { maxAttempts: schedule.job.maxAttempts }),
  };
  // The queue's default maxAttempts applies while the queue is still defined.
  const queue = services.queues.definitions.find((definition) => definition.name === schedule.queue) ?? schedule.queue;
  return buildJob(queue, request, services.jobTypes, now, [], slotJobId(schedule._id, slot));
}

/**
 * Inserts the jobs of one schedule's planned slots, then advances its `nextSlotAt` with a
 * compare-and-set. A crash between the two is safe: the next run plans the same slots, and their
 * inserts fail with a duplicate key. Returns the jobs this call inserted.
 */
async function materializeSchedule(services: Services, schedule: ScheduleDocument, now: Date, horizon: Date): Promise<JobDocument[]> {
  const cron = compileCron(schedule.cron, schedule.timeZone);
  const plan = planSlots(cron, schedule.nextSlotAt, now, horizon, schedule.missedSlots);
  const inserted: JobDocument[] = [];
  for (const slot of plan.slots) {
    let job: JobDocument;
    try {
      job = buildSlotJob(services, schedule, slot, now);
    } catch (error) {
      if (!(error instanceof RequestError)) {
        throw error;
      }
      // The job type changed since the schedule was created; retrying cannot fix the template.
      logger.error('schedule slot skipped: its job template is no longer valid', { scheduleId: schedule._id, slot: slot.toISOString(), error: describeError(error) });
      continue;
    }
    try {
      await insertJobs(services.jobs, [job]);
      inserted.push(job);
    } catch (error) {
      // The slot already has its job, written by an overlapping or earlier run.
      if (!isDuplicateKeyError(error)) {
        throw error;
      }
    }
  }
  const advanced = await advanceSchedule(
    services.schedules,
    schedule._id,
    schedule.nextSlotAt,
    { nextSlotAt: plan.nextSlotAt, lastSlotAt: plan.slots.at(-1) ?? null },
    now,
  );
  if (!advanced) {
    logger.info('schedule already advanced by another dispatch run, or paused', { scheduleId: schedule._id });
  }
  return inserted;
}

/** Sends the new jobs queue by queue. A failed send leaves them in the outbox for the dispatch sweep. */
async function sendCreatedJobs(services: Services, jobs: JobDocument[], now: Date): Promise<void> {
  const byQueue = new Map<string, JobDocument[]>();
  for (const job of jobs) {
    byQueue.set(job.queue, [...(byQueue.get(job.queue) ?? []), job]);
  }
  for (const [queueName, queueJobs] of byQueue) {
    try {
      await sendDueJobs(services, services.queues.get(queueName), queueJobs, now);
    } catch (error) {
      logger.warn('sending scheduled jobs failed; they stay in the outbox for dispatch', { queue: queueName, jobs: queueJobs.length, error: describeError(error) });
    }
  }
}

/**
 * Creates the jobs of every active schedule's slots due by `now` plus the lookahead (15 minutes
 * by default). Each slot gets exactly one job, whose `_id` is `sched:<scheduleId>:<slot ISO>`;
 * slots missed during an outage follow the schedule's policy (`runOnce` or `skip`). The new jobs
 * are written to the outbox and then sent with the remaining delay, like enqueued jobs, so the
 * outbox grace period applies to them unchanged. Paused schedules create nothing. A failing
 * schedule is logged and retried by the next run. Returns how many jobs this call inserted.
 */
export async function materializeSchedules(services: Services, now: Date, options: MaterializeOptions = {}): Promise<{ created: number }> {
  const horizon = new Date(now.getTime() + (options.lookaheadMs ?? SCHEDULE_LOOKAHEAD_MS));
  const limit = options.limit ?? DEFAULT_SCHEDULE_LIMIT;
  const due = await findDueSchedules(services.schedules, horizon, limit);
  const created: JobDocument[] = [];
  for (const schedule of due) {
    try {
      created.push(...(await materializeSchedule(services, schedule, now, horizon)));
    } catch (error) {
      logger.error('schedule materialisation failed; the next dispatch run tries again', { scheduleId: schedule._id, error: describeError(error) });
    }
  }
  if (due.length === limit) {
    logger.warn('more schedules are due than one run materialises; the rest wait for the next run', { limit });
  }
  await sendCreatedJobs(services, created, now);
  return { created: created.length };
}
