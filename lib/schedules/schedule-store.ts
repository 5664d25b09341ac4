import type { Collection } from 'mongodb';
import type { ScheduleDocument } from './schedule';

/**
 * Schedule store operations. Each is one atomic MongoDB operation on one schedule, filtered on
 * `_id` by plain equality; the filter states its precondition.
 */

export { DUPLICATE_KEY_CODE, isDuplicateKeyError } from '../store/errors';

/** Inserts a new schedule. Throws the driver's duplicate-key error (code 11000) when the id is taken. */
export async function insertSchedule(schedules: Collection<ScheduleDocument>, schedule: ScheduleDocument): Promise<void> {
  await schedules.insertOne(schedule);
}

export async function findSchedule(schedules: Collection<ScheduleDocument>, id: string): Promise<ScheduleDocument | null> {
  return schedules.findOne({ _id: id });
}

/** Returns up to `limit` active schedules whose next slot is due by `horizon`, earliest first. */
export async function findDueSchedules(schedules: Collection<ScheduleDocument>, horizon: Date, limit: number): Promise<ScheduleDocument[]> {
  return schedules.find({ paused: false, nextSlotAt: { $lte: horizon } }).sort({ nextSlotAt: 1 }).limit(limit).toArray();
}

/**
 * Moves an active schedule's `nextSlotAt` from `expectedNextSlotAt` to `nextSlotAt` after its
 * slots got their jobs (compare-and-set). Returns false when another run advanced it first or the
 * schedule was paused or deleted meanwhile.
 */
export async function advanceSchedule(
  schedules: Collection<ScheduleDocument>,
  id: string,
  expectedNextSlotAt: Date,
  advance: { nextSlotAt: Date; lastSlotAt: Date | null },
  now: Date,
): Promise<boolean> {
  const set: Partial<ScheduleDocument> = { nextSlotAt: advance.nextSlotAt, updatedAt: now };
  if (advance.lastSlotAt) {
    set.lastSlotAt = advance.lastSlotAt;
  }
  const result = await schedules.updateOne({ _id: id, paused: false, nextSlotAt: expectedNextSlotAt }, { $set: set });
  return result.modifiedCount === 1;
}

/** Pauses an active schedule. Returns the paused schedule, or null when it is missing or already paused. */
export async function pauseSchedule(schedules: Collection<ScheduleDocument>, id: string, now: Date): Promise<ScheduleDocument | null> {
  return schedules.findOneAndUpdate({ _id: id, paused: false }, { $set: { paused: true, updatedAt: now } }, { returnDocument: 'after' });
}

/**
 * Resumes a paused schedule from `nextSlotAt`. Returns the schedule, or null when it is missing
 * or not paused (another call resumed it first).
 */
export async function resumeSchedule(
  schedules: Collection<ScheduleDocument>,
  id: string,
  nextSlotAt: Date,
  now: Date,
): Promise<ScheduleDocument | null> {
  return schedules.findOneAndUpdate({ _id: id, paused: true }, { $set: { paused: false, nextSlotAt, updatedAt: now } }, { returnDocument: 'after' });
}

/** Deletes a schedule and returns it, or null when there is none. Jobs it already created stay. */
export async function deleteSchedule(schedules: Collection<ScheduleDocument>, id: string): Promise<ScheduleDocument | null> {
  return schedules.findOneAndDelete({ _id: id });
}
