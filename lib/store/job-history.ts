import type { JobHistoryEntry } from '../jobs/job';
import type { JobState } from '../jobs/states';

/**
 * Entries a job keeps in `history`: each transition appends one and drops the oldest beyond this,
 * so the document stays small however often a job is retried. Rate-limit deferrals append none
 * (the job's `deferrals` counts them), so a heavily limited job keeps its attempts in view.
 */
export const JOB_HISTORY_LIMIT = 20;

/** Returns the `$push` operand that appends `entry` to `history` and keeps the newest {@link JOB_HISTORY_LIMIT}. */
export function pushHistory(entry: JobHistoryEntry): { history: { $each: JobHistoryEntry[]; $slice: number } } {
  return { history: { $each: [entry], $slice: -JOB_HISTORY_LIMIT } };
}

/**
 * Returns the aggregation expression that appends an entry to `history` and keeps the newest
 * {@link JOB_HISTORY_LIMIT}, for pipeline updates (which have no `$push`). `attempt` is an
 * expression such as `'$attempts'`. A job stored before `history` existed starts an empty one.
 */
export function appendHistoryExpression(state: JobState, at: Date, attempt: unknown): Record<string, unknown> {
  const entry = { state: { $literal: state }, at: { $literal: at }, attempt };
  return { $slice: [{ $concatArrays: [{ $ifNull: ['$history', []] }, [entry]] }, -JOB_HISTORY_LIMIT] };
}
