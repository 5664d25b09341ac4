import type { Services } from '../clients';
import { ConflictError, NotFoundError } from '../errors';
import { compileCron, latestSlotBetween, slotAfter, slotAtOrAfter } from './cron';
import { MissedSlotPolicy, toPublicSchedule, type PublicSchedule, type ScheduleDocument } from './schedule';
import { parseScheduleRequest } from './schedule-request';
import * as store from './schedule-store';

function notFound(id: string): NotFoundError {
  return new NotFoundError(`schedule ${JSON.stringify(id)} not found; check the id it was created with`, { operation: 'schedule' });
}

/**
 * Creates a schedule from a request body. Its first slot is the first one after `now`.
 * Throws a `RequestError` naming the invalid field (400 or 422) before anything is written, and
 * {@link ConflictError} (409) when a schedule with this id exists.
 */
export async function createSchedule(services: Services, body: unknown, now = new Date()): Promise<PublicSchedule> {
  const request = parseScheduleRequest(body, services.queues, services.jobTypes);
  const cron = compileCron(request.cron, request.timeZone);
  const schedule: ScheduleDocument = {
    _id: request.id,
    queue: request.queue,
    cron: request.cron.trim(),
    timeZone: request.timeZone,
    job: request.job,
    paused: request.paused,
    missedSlots: request.missedSlots,
    nextSlotAt: slotAfter(cron, now),
    lastSlotAt: null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await store.insertSchedule(services.schedules, schedule);
  } catch (error) {
    if (store.isDuplicateKeyError(error)) {
      throw new ConflictError(`schedule ${JSON.stringify(request.id)} already exists; choose another id, or delete the existing schedule first`, {
        operation: 'createSchedule',
        cause: error,
      });
    }
    throw error;
  }
  return toPublicSchedule(schedule);
}

/** Returns a schedule. Throws {@link NotFoundError} when there is none with this id. */
export async function getSchedule(services: Services, id: string): Promise<PublicSchedule> {
  const schedule = await store.findSchedule(services.schedules, id);
  if (!schedule) {
    throw notFound(id);
  }
  return toPublicSchedule(schedule);
}

/**
 * Pauses a schedule: no slot gets a job until it resumes. Jobs already created for the next
 * 15 minutes still run (cancel them with `DELETE /jobs/{id}`). Pausing a paused schedule changes
 * nothing. Throws {@link NotFoundError} for an unknown id.
 */
export async function pauseSchedule(services: Services, id: string, now = new Date()): Promise<PublicSchedule> {
  const paused = (await store.pauseSchedule(services.schedules, id, now)) ?? (await store.findSchedule(services.schedules, id));
  if (!paused) {
    throw notFound(id);
  }
  return toPublicSchedule(paused);
}

/**
 * Returns where a resumed schedule continues. Slots that passed while it was paused are missed
 * slots: `runOnce` keeps the latest of them, `skip` continues with the first slot from `now`.
 */
function resumeSlot(schedule: ScheduleDocument, now: Date): Date {
  if (schedule.nextSlotAt.getTime() >= now.getTime()) {
    return schedule.nextSlotAt;
  }
  const cron = compileCron(schedule.cron, schedule.timeZone);
  if (schedule.missedSlots === MissedSlotPolicy.runOnce) {
    return latestSlotBetween(cron, schedule.nextSlotAt, now) ?? slotAtOrAfter(cron, now);
  }
  return slotAtOrAfter(cron, now);
}

/**
 * Resumes a paused schedule, computing its next slot from `now` per its missed-slot policy.
 * Resuming an active schedule changes nothing. Throws {@link NotFoundError} for an unknown id.
 */
export async function resumeSchedule(services: Services, id: string, now = new Date()): Promise<PublicSchedule> {
  const schedule = await store.findSchedule(services.schedules, id);
  if (!schedule) {
    throw notFound(id);
  }
  if (!schedule.paused) {
    return toPublicSchedule(schedule);
  }
  // When another call resumed it first, that call's next slot is kept.
  const resumed =
    (await store.resumeSchedule(services.schedules, id, resumeSlot(schedule, now), now)) ?? (await store.findSchedule(services.schedules, id));
  if (!resumed) {
    throw notFound(id);
  }
  return toPublicSchedule(resumed);
}

/**
 * Deletes a schedule and returns it. Jobs it already created stay and run.
 * Throws {@link NotFoundError} for an unknown id.
 */
export async function deleteSchedule(services: Services, id: string): Promise<PublicSchedule> {
  const deleted = await store.deleteSchedule(services.schedules, id);
  if (!deleted) {
    throw notFound(id);
  }
  return toPublicSchedule(deleted);
}
