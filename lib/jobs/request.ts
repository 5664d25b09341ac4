import { z } from 'zod';
import { InvalidRequestError, type FieldProblem } from '../errors';
import { rejectUnsafeKeys } from './document-keys';

/** Maximum delay of a job: 30 days. */
export const MAX_DELAY_SECONDS = 30 * 24 * 60 * 60;
/** Upper bound on `maxAttempts`, so a typo cannot make a job retry for months. */
export const MAX_ATTEMPTS_LIMIT = 100;
/** Longest job type name the registry accepts. */
const MAX_JOB_TYPE_NAME_CHARS = 64;
/** Jobs in one batch request. */
export const MAX_BATCH_JOBS = 100;

export const jobRequestSchema = z
  .strictObject(
    {
    type: z
      .string({ error: 'is required: the name of a registered job type, such as "http"' })
      .min(1, 'must not be empty')
      .max(MAX_JOB_TYPE_NAME_CHARS, `must be at most ${MAX_JOB_TYPE_NAME_CHARS} characters: the name of a registered job type`),
    payload: z
      .unknown()
      .refine((value) => value !== undefined, 'is required; send {} for a job type without payload')
      .superRefine(rejectUnsafeKeys),
    delaySeconds: z
      .number({ error: `must be a JSON number of seconds from 0 to ${MAX_DELAY_SECONDS} (30 days)` })
      .int('must be a whole number of seconds')
      .min(0, `must not be negative; use 0 to ${MAX_DELAY_SECONDS} seconds`)
      .max(MAX_DELAY_SECONDS, `must be at most ${MAX_DELAY_SECONDS} (30 days); use runAt or a shorter delay`)
      .optional(),
    runAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 timestamp with a time zone, such as 2030-01-01T12:00:00Z' })
      .optional(),
    priority: z
      .number({ error: 'must be a JSON number from 0 to 9' })
      .int('must be a whole number from 0 to 9')
      .min(0, 'must be from 0 to 9')
      .max(9, 'must be from 0 to 9; higher numbers go to higher priority lanes')
      .optional(),
    idempotencyKey: z
      .string({ error: 'must be a string of 1 to 255 printable ASCII characters' })
      .regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters without spaces')
      .optional(),
    maxAttempts: z
      .number({ error: `must be a JSON number from 1 to ${MAX_ATTEMPTS_LIMIT}` })
      .int(`must be a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}`)
      .min(1, `must be at least 1 (at most ${MAX_ATTEMPTS_LIMIT})`)
      .max(MAX_ATTEMPTS_LIMIT, `must be at most ${MAX_ATTEMPTS_LIMIT}`)
      .optional(),
    },
    { error: (issue) => (issue.code === 'invalid_type' ? 'must be a JSON object with "type" and "payload"' : undefined) },
  )
  .refine((request) => request.delaySeconds === undefined || request.runAt === undefined, {
    path: ['runAt'],
    message: 'cannot be combined with delaySeconds; send one of them',
  });

export type JobRequest = z.infer<typeof jobRequestSchema>;

export const batchRequestSchema = z.strictObject({
  jobs: z
    .array(z.unknown(), { error: 'must be an array of job requests' })
    .min(1, 'must contain at least one job')
    .max(MAX_BATCH_JOBS, `must contain at most ${MAX_BATCH_JOBS} jobs; split the batch`),
});

/** Maximum length of a rejected value quoted back in an error message. */
const MAX_QUOTED_VALUE_CHARS = 60;

/** Describes the rejected value of an issue, when zod reported it (parse with `reportInput: true`). */
function receivedValue(issue: z.core.$ZodIssue): string {
  if (!('input' in issue) || issue.input === undefined || (typeof issue.input === 'object' && issue.input !== null)) {
    return '';
  }
  const quoted = JSON.stringify(issue.input);
  return ` (received ${quoted.length > MAX_QUOTED_VALUE_CHARS ? `${quoted.slice(0, MAX_QUOTED_VALUE_CHARS)}...` : quoted})`;
}

/** Converts zod issues into field problems, prefixing each path with `prefix` and quoting the rejected value. */
export function toFieldProblems(error: z.ZodError, prefix: string[] = []): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map(String)];
    const field = path.join('.') || '(body)';
    if (issue.code === 'unrecognized_keys') {
      return { field, message: `has unknown fields ${issue.keys.join(', ')}; remove them` };
    }
    const missing = 'input' in issue && issue.input === undefined && issue.code !== 'custom';
    if (missing && !issue.message.startsWith('is required')) {
      return { field, message: `is required: ${issue.message}` };
    }
    return { field, message: `${issue.message}${receivedValue(issue)}` };
  });
}

/** Prefixes the field paths of a request error's problems, to locate an entry of a batch. */
export function prefixProblems(problems: FieldProblem[], prefix: string[]): FieldProblem[] {
  if (prefix.length === 0) {
    return problems;
  }
  return problems.map((problem) => ({ ...problem, field: [...prefix, problem.field].join('.') }));
}

/** Parses one job request; throws {@link InvalidRequestError} naming each invalid field. */
export function parseJobRequest(body: unknown, prefix: string[] = []): JobRequest {
  const parsed = jobRequestSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) {
    const problems = toFieldProblems(parsed.error, prefix);
    throw new InvalidRequestError(`invalid job request: ${problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`, problems);
  }
  return parsed.data;
}

/**
 * Returns when the job first becomes due: `runAt`, or now plus `delaySeconds`, or now.
 * A `runAt` more than 30 days ahead is rejected like an over-long delay.
 */
export function resolveRunAt(request: JobRequest, now: Date, prefix: string[] = []): Date {
  if (request.runAt !== undefined) {
    const runAt = new Date(request.runAt);
    if (runAt.getTime() - now.getTime() > MAX_DELAY_SECONDS * 1000) {
      const field = [...prefix, 'runAt'].join('.');
      throw new InvalidRequestError(`${field} ${request.runAt} is more than 30 days ahead; schedule it at most 30 days ahead`, [
        { field, message: `must be at most 30 days ahead (received ${JSON.stringify(request.runAt)})` },
      ]);
    }
    return runAt;
  }
  return new Date(now.getTime() + (request.delaySeconds ?? 0) * 1000);
}
