import type { Collection, Filter } from 'mongodb';
import type { JobDocument } from '../jobs/job';
import type { JobState } from '../jobs/states';

/** Position after which a page starts: the last job of the previous page. */
export interface ListPosition {
  finishedAt: Date;
  id: string;
}

export interface FinishedJobsQuery {
  queue: string;
  state: JobState;
  limit: number;
  after?: ListPosition;
}

/**
 * Returns up to `limit` of a queue's jobs in `state`, newest `finishedAt` first (then `_id`
 * descending), starting after `after`. The order matches the `queue_state_finishedAt` index, and
 * the position is a key of that order, so pages neither skip nor repeat jobs while others finish.
 */
export async function listFinishedJobs(jobs: Collection<JobDocument>, query: FinishedJobsQuery): Promise<JobDocument[]> {
  const filter: Filter<JobDocument> = { queue: query.queue, state: query.state };
  if (query.after) {
    filter.$or = [{ finishedAt: { $lt: query.after.finishedAt } }, { finishedAt: query.after.finishedAt, _id: { $lt: query.after.id } }];
  }
  return jobs.find(filter).sort({ finishedAt: -1, _id: -1 }).limit(query.limit).toArray();
}
