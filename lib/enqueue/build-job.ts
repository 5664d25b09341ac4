import { randomUUID } from 'node:crypto';
import type { JobDocument } from '../jobs/job';
import { RequestError, UnprocessableRequestError } from '../errors';
import type { JobType, JobTypeRegistry } from '../jobs/registry';
import { parseJobRequest, prefixProblems, resolveRunAt } from '../jobs/request';
import { JobState } from '../jobs/states';
import type { QueueDefinition } from '../queues/definitions';

/**
 * Validates one job request for `queue` and builds the document to insert. Throws a
 * `RequestError` (400 or 422) naming the invalid field; `prefix` locates the request in a batch.
 * `id` defaults to a random UUID; a caller passes its own to make the insert unique per event.
 * `maxAttempts` comes from the request, else the queue's definition, else the job type.
 */
export function buildJob(
  queue: string | Pick<QueueDefinition, 'name' | 'maxAttempts'>,
  body: unknown,
  jobTypes: JobTypeRegistry,
  now: Date,
  prefix: string[] = [],
  id: string = randomUUID(),
): JobDocument {
  const request = parseJobRequest(body, prefix);
  let type: JobType;
  let payload: unknown;
  try {
    type = jobTypes.get(request.type);
    payload = jobTypes.parsePayload(request.type, request.payload);
  } catch (error) {
    // Locate the problem inside a batch: `jobs.3.payload.url` rather than `payload.url`.
    if (error instanceof RequestError && prefix.length > 0) {
      throw new UnprocessableRequestError(`${prefix.join('.')}: ${error.message}`, prefixProblems(error.problems, prefix));
    }
    throw error;
  }
  const runAt = resolveRunAt(request, now, prefix);
  const queueName = typeof queue === 'string' ? queue : queue.name;
  const queueMaxAttempts = typeof queue === 'string' ? undefined : queue.maxAttempts;
  const state = runAt.getTime() > now.getTime() ? JobState.delayed : JobState.queued;
  return {
    _id: id,
    queue: queueName,
    type: type.name,
    payload,
    state,
    attempts: 0,
    maxAttempts: request.maxAttempts ?? queueMaxAttempts ?? type.retry.maxAttempts,
    runAt,
    createdAt: now,
    updatedAt: now,
    version: 1,
    lastError: null,
    result: null,
    leaseToken: null,
    leaseExpiresAt: null,
    outbox: true,
    sentAt: null,
    startedAt: null,
    finishedAt: null,
    history: [{ state, at: now, attempt: 0 }],
    ...(request.idempotencyKey === undefined ? {} : { idempotencyKey: request.idempotencyKey }),
    ...(request.priority === undefined ? {} : { priority: request.priority }),
  };
}
