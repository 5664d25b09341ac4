import { z } from 'zod';
import { InvalidRequestError, type FieldProblem } from '../errors';

/** Maximum delay of a job: 30 days. */
export const MAX_DELAY_SECONDS = 30 * 24 * 60 * 60;
/** Upper bound on `maxAttempts`, so a typo cannot make a job retry for months. */
export const MAX_ATTEMPTS_LIMIT = 100;
/** Jobs in one batch request. */
export const MAX_BATCH_JOBS = 100;

export const jobRequestSchema = z
  .strictObject({
    type: z.string({ error: 'is required: the name of a registered job type, such as "http"' }).min(1, 'must not be empty'),
    payload: z.unknown().refine((value) => value !== undefined, 'is required; send {} for a job type without payload'),
    delaySeconds: z
      .number({ error: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(0, 'must not be negative')
      .max(MAX_DELAY_SECONDS, `must be at most ${MAX_DELAY_SECONDS} (30 days)`)
      .optional(),
    runAt: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 timestamp with a time zone, such as 2030-01-01T12:00:00Z' })
      .optional(),
    maxAttempts: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_ATTEMPTS_LIMIT, `must be at most ${MAX_ATTEMPTS_LIMIT}`)
      .optional(),
  })
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

/** Converts zod issues into field problems, prefixing each path with `prefix`. */
export function toFieldProblems(error: z.ZodError, prefix: string[] = []): FieldProblem[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return { field: path.join('.') || '(body)', message: `has unknown fields ${issue.keys.join(', ')}; remove them` };
    }
    return { field: path.join('.') || '(body)', message: issue.message };
  });
}

/** Parses one job request; throws {@link InvalidRequestError} naming each invalid field. */
export function parseJobRequest(body: unknown, prefix: string[] = []): JobRequest {
  const parsed = jobRequestSchema.safeParse(body);
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
      throw new InvalidRequestError(`${field} is more than 30 days ahead; schedule it closer`, [
        { field, message: 'must be at most 30 days ahead' },
      ]);
    }
    return runAt;
  }
  return new Date(now.getTime() + (request.delaySeconds ?? 0) * 1000);
}
