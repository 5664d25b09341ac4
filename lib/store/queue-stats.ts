import type { Collection } from 'mongodb';
import type { JobDocument } from '../jobs/job';
import { JobState } from '../jobs/states';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Finished jobs of one outcome counted over two windows that end now. */
export interface RecentCounts {
  lastMinute: number;
  lastHour: number;
}

/** A queue's figures, computed by {@link aggregateQueueStats}. */
export interface QueueStatsFigures {
  counts: Record<JobState, number>;
  total: number;
  /** Jobs that reached `completed` in the window. */
  completed: RecentCounts;
  /** Jobs that reached `dead` in the window (last attempt failed, or a permanent failure). */
  failed: RecentCounts;
  /** Age of the oldest `queued` or `delayed` job that is due and not started, or null when none waits. */
  oldestWaitingSeconds: number | null;
}

interface StateRow {
  _id: JobState;
  count: number;
  lastMinute: number;
  lastHour: number;
  oldestDueAt: Date | null;
}

/**
 * Computes a queue's figures with one aggregation over its jobs (the `queue_state` index finds
 * them): counts by state, jobs finished in the last minute and hour, and the oldest job that is
 * due but waiting. It reads every job of the queue, so callers cache the result.
 */
export async function aggregateQueueStats(jobs: Collection<JobDocument>, queue: string, now: Date): Promise<QueueStatsFigures> {
  const minuteAgo = new Date(now.getTime() - MINUTE_MS);
  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const rows = await jobs
    .aggregate<StateRow>([
      { $match: { queue } },
      {
        $group: {
          _id: '$state',
          count: { $sum: 1 },
          // A missing or null finishedAt sorts below every date, so unfinished jobs count 0.
          lastMinute: { $sum: { $cond: [{ $gte: ['$finishedAt', minuteAgo] }, 1, 0] } },
          lastHour: { $sum: { $cond: [{ $gte: ['$finishedAt', hourAgo] }, 1, 0] } },
          // $min skips nulls, so jobs not yet due do not count.
          oldestDueAt: { $min: { $cond: [{ $lte: ['$runAt', now] }, '$runAt', null] } },
        },
      },
    ])
    .toArray();

  const counts = Object.fromEntries(Object.values(JobState).map((state) => [state, 0])) as Record<JobState, number>;
  const figures: QueueStatsFigures = { counts, total: 0, completed: { lastMinute: 0, lastHour: 0 }, failed: { lastMinute: 0, lastHour: 0 }, oldestWaitingSeconds: null };
  let oldestDueMs = Number.POSITIVE_INFINITY;
  for (const row of rows) {
    counts[row._id] = row.count;
    figures.total += row.count;
    if (row._id === JobState.completed) {
      figures.completed = { lastMinute: row.lastMinute, lastHour: row.lastHour };
    } else if (row._id === JobState.dead) {
      figures.failed = { lastMinute: row.lastMinute, lastHour: row.lastHour };
    } else if ((row._id === JobState.queued || row._id === JobState.delayed) && row.oldestDueAt) {
      oldestDueMs = Math.min(oldestDueMs, row.oldestDueAt.getTime());
    }
  }
  if (Number.isFinite(oldestDueMs)) {
    figures.oldestWaitingSeconds = Math.max(0, Math.floor((now.getTime() - oldestDueMs) / 1000));
  }
  return figures;
}
