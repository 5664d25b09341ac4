import { InvalidTransitionError } from '../errors';

export const JobState = {
  /** Ready to run, in SQS or about to be sent. */
  queued: 'queued',
  /** Due later: a delayed job, or a retry waiting for its backoff. */
  delayed: 'delayed',
  /** Claimed by a worker that holds its lease. */
  active: 'active',
  completed: 'completed',
  /** Out of attempts, or failed permanently; kept and queryable, and retryable by API. */
  dead: 'dead',
  cancelled: 'cancelled',
} as const;

export type JobState = (typeof JobState)[keyof typeof JobState];

export const JOB_STATES = Object.values(JobState);

/**
 * Allowed transitions, target state first. `active -> active` is a takeover: the lease of the
 * previous worker expired and a new worker claims the job. `queued -> delayed` and
 * `delayed -> delayed` defer a job that found no rate-limit token or concurrency slot.
 */
const SOURCES_BY_TARGET: Record<JobState, readonly JobState[]> = {
  queued: [JobState.dead],
  delayed: [JobState.queued, JobState.delayed, JobState.active],
  active: [JobState.queued, JobState.delayed, JobState.active],
  completed: [JobState.active],
  dead: [JobState.active],
  cancelled: [JobState.queued, JobState.delayed],
};

/** Returns the states a job may be in for a transition to `target`. Store operations filter on them. */
export function sourceStatesFor(target: JobState): readonly JobState[] {
  return SOURCES_BY_TARGET[target];
}

export function canTransition(from: JobState, to: JobState): boolean {
  return SOURCES_BY_TARGET[to].includes(from);
}

/** Throws {@link InvalidTransitionError} when the state machine does not allow `from -> to`. */
export function assertTransition(from: JobState, to: JobState, jobId?: string): void {
  if (!canTransition(from, to)) {
    throw new InvalidTransitionError(`job cannot move from ${from} to ${to}`, jobId === undefined ? {} : { jobId });
  }
}

export function isTerminal(state: JobState): boolean {
  return state === JobState.completed || state === JobState.cancelled;
}
