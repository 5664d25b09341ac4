import type { Collection } from 'mongodb';
import type { JobDocument } from '../jobs/job';
import { JobState } from '../jobs/states';

/** Jobs of one queue that finished in one minute. */
export interface MinuteCounts {
  /** Start of the minute (UTC). */
  minute: Date;
  completed: number;
  dead: number;
}

/**
 * Counts a queue's jobs that became `completed` or `dead` since `since`, per minute of
 * `finishedAt`; minutes without such jobs are left out. The `$match` is a prefix of the
 * `queue_state_finishedAt` index, so it reads only the jobs of the window.
 * `$dateTrunc` needs MongoDB 5.0 or later.
 * NOTE: a job retried from `dead` and finished again counts once, at its latest `finishedAt`.
 */
export async function countFinishedPerMinute(jobs: Collection<JobDocument>, queue: string, since: Date): Promise<MinuteCounts[]> {
  const rows = await jobs
    .aggregate<{ _id: { minute: Date; state: JobState }; count: number }>([
      { $match: { queue, state: { $in: [JobState.completed, JobState.dead] }, finishedAt: { $gte: since } } },
      { $group: { _id: { minute: { $dateTrunc: { date: '$finishedAt', unit: 'minute' } }, state: '$state' }, count: { $sum: 1 } } },
    ])
    .toArray();

  const byMinute = new Map<number, MinuteCounts>();
  for (const row of rows) {
    const key = row._id.minute.getTime();
    const counts = byMinute.get(key) ?? { minute: row._id.minute, completed: 0, dead: 0 };
    if (row._id.state === JobState.completed) {
      counts.completed += row.count;
    } else {
      counts.dead += row.count;
    }
    byMinute.set(key, counts);
  }
  return [...byMinute.values()].sort((a, b) => a.minute.getTime() - b.minute.getTime());
}
