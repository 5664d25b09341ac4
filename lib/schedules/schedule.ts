import type { PublicSchedule } from '../api/response-schemas';

/** Policy for slots whose time passed before any dispatch run created their job. */
export const MissedSlotPolicy = {
  /** Create one job, for the latest missed slot. */
  runOnce: 'runOnce',
  /** Create no job for missed slots; continue with the next future slot. */
  skip: 'skip',
} as const;

export type MissedSlotPolicy = (typeof MissedSlotPolicy)[keyof typeof MissedSlotPolicy];

/** The job a schedule creates for each slot, validated like an enqueue request when the schedule is created. */
export interface JobTemplate {
  type: string;
  payload: unknown;
  /** The job type's default when null. */
  maxAttempts: number | null;
}

/** A cron schedule as stored in the `schedules` collection; `_id` is the client-chosen schedule id. */
export interface ScheduleDocument {
  _id: string;
  queue: string;
  /** Five-field cron expression (minute hour day-of-month month day-of-week), or a nickname such as `@hourly`. */
  cron: string;
  /** IANA time zone the cron expression is evaluated in. */
  timeZone: string;
  job: JobTemplate;
  paused: boolean;
  missedSlots: MissedSlotPolicy;
  /** The earliest slot that has no job yet; the materialiser creates jobs from here on. */
  nextSlotAt: Date;
  /** The latest slot that got a job, or null before the first one. */
  lastSlotAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A schedule as the HTTP API returns it; its schema is `publicScheduleSchema`. */
export type { PublicSchedule } from '../api/response-schemas';

export function toPublicSchedule(schedule: ScheduleDocument): PublicSchedule {
  return {
    id: schedule._id,
    queue: schedule.queue,
    cron: schedule.cron,
    timeZone: schedule.timeZone,
    job: schedule.job,
    paused: schedule.paused,
    missedSlots: schedule.missedSlots,
    nextSlotAt: schedule.nextSlotAt.toISOString(),
    lastSlotAt: schedule.lastSlotAt ? schedule.lastSlotAt.toISOString() : null,
    createdAt: schedule.createdAt.toISOString(),
    updatedAt: schedule.updatedAt.toISOString(),
  };
}

/**
 * Returns the id of the job of one slot: `sched:<scheduleId>:<slot time ISO>`. The id makes the
 * job unique per (schedule, slot), so a second insert for the same slot fails with a duplicate key.
 */
export function slotJobId(scheduleId: string, slot: Date): string {
  return `sched:${scheduleId}:${slot.toISOString()}`;
}
