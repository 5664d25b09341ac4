import type { Collection, Filter } from 'mongodb';
import type { JobDocument } from '../jobs/job';
import type { JobState } from '../jobs/states';

/** Position after which a page of finished jobs starts: the last job of the previous page. */
export interface ListPosition {
  finishedAt: Date;
  id: string;
}

/** Position after which a page of recently updated jobs starts: the last job of the previous page. */
export interface UpdatedPosition {
  updatedAt: Date;
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

export interface UpdatedJobsQuery {
  queue: string;
  /** Only jobs whose `updatedAt` is later than this. */
  updatedAfter: Date;
  /** Only jobs in this state, when set. */
  state?: JobState;
  limit: number;
  after?: UpdatedPosition;
}

/**
 * Returns up to `limit` of a queue's jobs updated after `updatedAfter`, oldest `updatedAt` first
 * (then `_id` ascending), starting after `after`. The order matches the `queue_updatedAt` index.
 * A job appears once, at its latest update: each write moves it to the end of this order.
 */
export async function listUpdatedJobs(jobs: Collection<JobDocument>, query: UpdatedJobsQuery): Promise<JobDocument[]> {
  const filter: Filter<JobDocument> = { queue: query.queue, updatedAt: { $gt: query.updatedAfter } };
  if (query.state !== undefined) {
    filter.state = query.state;
  }
  if (query.after) {
    filter.$or = [{ updatedAt: { $gt: query.after.updatedAt } }, { updatedAt: query.after.updatedAt, _id: { $gt: query.after.id } }];
  }
  return jobs.find(filter).sort({ updatedAt: 1, _id: 1 }).limit(query.limit).toArray();
}
