import type { PublicJob } from '../api/response-schemas';
import { JobState } from './states';

/** Failure of the last attempt, as stored on the job. */
export interface JobError {
  name: string;
  message: string;
  attempt: number;
  at: Date;
  /** True when retrying cannot help. */
  permanent: boolean;
}

/** One state change of a job, as kept in its bounded `history`. */
export interface JobHistoryEntry {
  state: JobState;
  at: Date;
  /** Attempts used when the job entered `state`. */
  attempt: number;
  /** The failure that caused the change (a retry, a dead job). */
  error?: { name: string; message: string };
}

/** A job as stored in the `jobs` collection. `_id` is the shard key (hashed) in production. */
export interface JobDocument {
  _id: string;
  queue: string;
  type: string;
  payload: unknown;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  createdAt: Date;
  updatedAt: Date;
  /** Increases with every write; the status cache keeps only the newest version. */
  version: number;
  lastError: JobError | null;
  result: unknown;
  leaseToken: string | null;
  leaseExpiresAt: Date | null;
  /** Lease token of the attempt whose outcome the job records; tells a batch which of its conditional updates matched. */
  outcomeLeaseToken?: string;
  /** True while no SQS message is known to carry the job; dispatch sends those that fall due. */
  outbox: boolean;
  sentAt: Date | null;
  /** Marks the jobs one dispatch run claimed, so overlapping runs send each job once. */
  dispatchToken?: string;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** When MongoDB's TTL monitor deletes the finished job; unset while the job can still run. */
  expiresAt?: Date | null;
  /** Times the job was sent back for lack of a rate-limit token or concurrency slot; attempts do not count them. */
  deferrals?: number;
  /** The producer's idempotency key, when the job was enqueued with one. */
  idempotencyKey?: string;
  /** 0 (default) to 9; picks the queue's priority lane. */
  priority?: number;
  /** The newest state changes, oldest first; at most `JOB_HISTORY_LIMIT` (lib/store/job-history.ts). */
  history?: JobHistoryEntry[];
}

/** A job as the HTTP API returns it; its schema is `publicJobSchema`. */
export type { PublicJob } from '../api/response-schemas';

const isoOrNull = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

export function toPublicJob(job: JobDocument): PublicJob {
  return {
    id: job._id,
    queue: job.queue,
    type: job.type,
    state: job.state,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    runAt: job.runAt.toISOString(),
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    startedAt: isoOrNull(job.startedAt),
    finishedAt: isoOrNull(job.finishedAt),
    lastError: job.lastError ? { ...job.lastError, at: job.lastError.at.toISOString() } : null,
    result: job.result ?? null,
    deferrals: job.deferrals ?? 0,
    priority: job.priority ?? 0,
    history: (job.history ?? []).map((entry) => ({ ...entry, at: entry.at.toISOString() })),
  };
}
