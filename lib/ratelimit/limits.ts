import { UnprocessableRequestError } from '../errors';
import type { ConcurrencyLimitDefinition, QueueDefinition, RateLimitDefinition } from '../queues/definitions';

/** The part of a job that limits are keyed on. */
export interface LimitedJob {
  type: string;
  payload: unknown;
}

export interface ResolvedRateLimit {
  definition: RateLimitDefinition;
  /** Redis key of the token bucket. */
  bucketKey: string;
  /** Redis key of the slot reservations; same hash tag as the bucket. */
  reservationKey: string;
}

export interface ResolvedConcurrencyLimit {
  definition: ConcurrencyLimitDefinition;
  /** Redis key of the semaphore. */
  semaphoreKey: string;
}

export interface ResolvedLimits {
  rate: ResolvedRateLimit[];
  concurrency: ResolvedConcurrencyLimit[];
}

function readField(job: LimitedJob, field: string): unknown {
  if (field === 'type') {
    return job.type;
  }
  let value: unknown = job;
  for (const part of field.split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  return value;
}

/**
 * Returns the key value of a limit for a job. Throws {@link UnprocessableRequestError} naming the
 * field when the job lacks it, so a job that no limit could key is rejected at enqueue time.
 */
function keyValue(limit: RateLimitDefinition | ConcurrencyLimitDefinition, job: LimitedJob, queue: string): string {
  if (!limit.keyBy) {
    return '*';
  }
  const { field, part } = limit.keyBy;
  const value = readField(job, field);
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new UnprocessableRequestError(`${field} is required by limit "${limit.name}" of queue ${queue}; send it as a string or number`, [
      { field, message: `is required by limit "${limit.name}"` },
    ]);
  }
  if (part === 'host') {
    if (!URL.canParse(String(value))) {
      throw new UnprocessableRequestError(`${field} must be a URL for limit "${limit.name}" of queue ${queue}`, [{ field, message: 'must be a URL' }]);
    }
    return new URL(String(value)).host.toLowerCase();
  }
  return String(value);
}

/**
 * Builds the hash tag of one limit key. Each bucket gets its own tag, so buckets spread over the cluster's
 * slots, while the keys of one bucket share it and one script can touch them all. The value is
 * URI-encoded so a `{` or `}` in it cannot end the tag early.
 */
function hashTag(queue: QueueDefinition, limitName: string, value: string): string {
  return `{${queue.sqsName}/${limitName}/${encodeURIComponent(value)}}`;
}

function applies(limit: { jobType?: string | undefined }, job: LimitedJob): boolean {
  return limit.jobType === undefined || limit.jobType === job.type;
}

/**
 * Resolves the rate and concurrency limits of `queue` that apply to `job`, with their Redis keys.
 * Throws {@link UnprocessableRequestError} when the job lacks a field a limit is keyed on.
 */
export function resolveLimits(queue: QueueDefinition, job: LimitedJob): ResolvedLimits {
  return {
    rate: queue.rateLimits
      .filter((limit) => applies(limit, job))
      .map((definition) => {
        const tag = hashTag(queue, definition.name, keyValue(definition, job, queue.name));
        return { definition, bucketKey: `sluice:rate:${tag}`, reservationKey: `sluice:rate:${tag}:slots` };
      }),
    concurrency: queue.concurrencyLimits
      .filter((limit) => applies(limit, job))
      .map((definition) => ({ definition, semaphoreKey: `sluice:sem:${hashTag(queue, definition.name, keyValue(definition, job, queue.name))}` })),
  };
}

export function hasLimits(limits: ResolvedLimits): boolean {
  return limits.rate.length > 0 || limits.concurrency.length > 0;
}
