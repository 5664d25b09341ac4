import type { Logger } from '@aws-lambda-powertools/logger';
import { PermanentJobError, RetryableJobError } from '../errors';
import type { JobDocument } from '../jobs/job';
import type { JobTypeRegistry } from '../jobs/registry';

/** Outcome of one attempt, which the worker turns into a store transition. */
export type AttemptOutcome =
  | { kind: 'succeeded'; result: unknown }
  | { kind: 'failed'; error: Error; permanent: boolean; retryAfterMs: number | undefined };

function failed(error: Error, permanent: boolean, retryAfterMs?: number): AttemptOutcome {
  return { kind: 'failed', error, permanent, retryAfterMs };
}

/**
 * Runs the handler of the job's type on its payload, aborting it after `timeoutMs`. Never throws:
 * every handler error becomes a failed outcome. An unknown type or a payload that no longer
 * matches its schema fails permanently, because no retry can fix it.
 */
export async function runAttempt(job: JobDocument, jobTypes: JobTypeRegistry, logger: Logger, timeoutMs: number): Promise<AttemptOutcome> {
  let payload: unknown;
  let handler;
  try {
    handler = jobTypes.get(job.type).handler;
    payload = jobTypes.parsePayload(job.type, job.payload);
  } catch (error) {
    return failed(new PermanentJobError((error as Error).message, { jobId: job._id, cause: error }), true);
  }

  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new RetryableJobError(`attempt timed out after ${timeoutMs} ms`, { jobId: job._id });
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });

  try {
    const result = await Promise.race([handler(payload, { jobId: job._id, queue: job.queue, attempt: job.attempts, logger, signal: controller.signal }), timeout]);
    return { kind: 'succeeded', result };
  } catch (error) {
    if (error instanceof PermanentJobError) {
      return failed(error, true);
    }
    if (error instanceof RetryableJobError) {
      return failed(error, false, error.retryAfterMs);
    }
    return failed(error instanceof Error ? error : new Error(String(error)), false);
  } finally {
    clearTimeout(timer);
  }
}
