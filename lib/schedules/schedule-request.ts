import { z } from 'zod';
import { InvalidRequestError, RequestError, UnprocessableRequestError, type FieldProblem } from '../errors';
import type { JobTypeRegistry } from '../jobs/registry';
import { jobRequestSchema, toFieldProblems } from '../jobs/request';
import type { QueueCatalog } from '../queues/catalog';
import { cronProblem, timeZoneProblem } from './cron';
import { MissedSlotPolicy, type JobTemplate } from './schedule';

/** Schedule ids are slugs, so they fit in job ids (`sched:<id>:<slot>`) and URL paths unescaped. */
const scheduleIdPattern = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** The job template takes the enqueue request's own field rules, without its timing fields. */
const jobTemplateSchema = z.strictObject({
  type: jobRequestSchema.shape.type,
  payload: jobRequestSchema.shape.payload,
  maxAttempts: jobRequestSchema.shape.maxAttempts,
});

export const scheduleRequestSchema = z.strictObject({
  id: z
    .string({ error: 'is required: a slug such as "nightly-report"' })
    .regex(scheduleIdPattern, 'must be 1-64 lowercase letters, digits, "-" or "_", starting with a letter or digit'),
  queue: z.string({ error: 'is required: the name of a queue of queues.json' }).min(1, 'must not be empty'),
  cron: z
    .string({ error: 'is required: a five-field cron expression such as "*/5 * * * *"' })
    .superRefine((expression, context) => {
      const problem = cronProblem(expression);
      if (problem) {
        context.addIssue({ code: 'custom', message: `${JSON.stringify(expression)} ${problem}` });
      }
    }),
  timeZone: z
    .string({ error: 'must be an IANA time zone name such as "Europe/Berlin"' })
    .default('UTC')
    .superRefine((timeZone, context) => {
      const problem = timeZoneProblem(timeZone);
      if (problem) {
        context.addIssue({ code: 'custom', message: `${JSON.stringify(timeZone)} ${problem}` });
      }
    }),
  job: jobTemplateSchema,
  paused: z.boolean({ error: 'must be true or false' }).default(false),
  missedSlots: z
    .enum([MissedSlotPolicy.runOnce, MissedSlotPolicy.skip], { error: 'must be "runOnce" or "skip"' })
    .default(MissedSlotPolicy.runOnce),
});

export type ScheduleRequest = Omit<z.infer<typeof scheduleRequestSchema>, 'job'> & { job: JobTemplate };

function withPrefix(problems: FieldProblem[], prefix: string): FieldProblem[] {
  return problems.map((problem) => ({ ...problem, field: `${prefix}.${problem.field}` }));
}

/**
 * Validates a schedule request: its fields (400) and its queue (422 when undefined). Its job
 * template is checked against the job type registry exactly like an enqueue request: 422 for an
 * unknown type or a payload its schema rejects, with fields under `job.`. Returns the request
 * with its defaults and the parsed payload. Throws a `RequestError` naming each invalid field.
 */
export function parseScheduleRequest(body: unknown, queues: QueueCatalog, jobTypes: JobTypeRegistry): ScheduleRequest {
  const parsed = scheduleRequestSchema.safeParse(body);
  if (!parsed.success) {
    const problems = toFieldProblems(parsed.error);
    throw new InvalidRequestError(`invalid schedule: ${problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`, problems);
  }
  const request = parsed.data;

  try {
    queues.get(request.queue);
  } catch (error) {
    if (!(error instanceof RequestError)) {
      throw error;
    }
    throw new UnprocessableRequestError(`invalid schedule: ${error.message}`, [{ field: 'queue', message: error.message }], { cause: error });
  }

  let payload: unknown;
  try {
    payload = jobTypes.parsePayload(request.job.type, request.job.payload);
  } catch (error) {
    if (!(error instanceof RequestError)) {
      throw error;
    }
    const problems = withPrefix(error.problems, 'job');
    throw new UnprocessableRequestError(`invalid schedule: ${problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`, problems, {
      cause: error,
    });
  }

  return { ...request, job: { type: request.job.type, payload, maxAttempts: request.job.maxAttempts ?? null } };
}
