import { z } from 'zod';
import { JOB_STATES } from '../jobs/states';
import { MissedSlotPolicy } from '../schedules/schedule';

/**
 * Schemas of the HTTP API's responses. The handlers' return types are inferred from them, the
 * OpenAPI document is generated from them, and the typed SDK returns these types. This module
 * imports only zod and plain constants, so producers can import it without the server's clients.
 */

const isoTimestamp = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp');

export const jobStateSchema = z.enum(JOB_STATES).describe('queued, delayed, active, completed, dead or cancelled');

export const fieldProblemSchema = z.object({
  field: z.string().describe('dotted path of the field, such as payload.url or jobs.3.type'),
  message: z.string(),
});

export const errorResponseSchema = z
  .object({
    error: z.object({
      message: z.string().describe('what failed, on which value, and how to fix it'),
      problems: z.array(fieldProblemSchema),
    }),
  })
  .describe('Every 4xx and 5xx response');

export const jobErrorSchema = z.object({
  name: z.string(),
  message: z.string(),
  attempt: z.number().int(),
  at: isoTimestamp,
  permanent: z.boolean().describe('true when retrying cannot help'),
});

export const publicJobSchema = z.object({
  id: z.string(),
  queue: z.string(),
  type: z.string(),
  state: jobStateSchema,
  attempts: z.number().int().min(0),
  maxAttempts: z.number().int().min(1),
  runAt: isoTimestamp,
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
  startedAt: isoTimestamp.nullable(),
  finishedAt: isoTimestamp.nullable(),
  lastError: jobErrorSchema.nullable(),
  result: z.unknown().describe("the handler's return value, or null"),
  deferrals: z.number().int().min(0).describe('times the job was sent back for lack of a rate-limit token or concurrency slot'),
  priority: z.number().int().min(0).max(9),
  history: z
    .array(
      z.object({
        state: jobStateSchema,
        at: isoTimestamp,
        attempt: z.number().int().min(0),
        error: z.object({ name: z.string(), message: z.string() }).optional(),
      }),
    )
    .describe('the newest state changes, oldest first (at most 20)'),
});

export const enqueuedJobSchema = z.object({
  id: z.string(),
  state: jobStateSchema,
  existing: z.literal(true).optional().describe('set when an idempotency key matched a job enqueued earlier'),
});

export const rejectedJobSchema = z.object({ error: errorResponseSchema.shape.error });

export const batchResultSchema = z.object({
  jobs: z.array(z.union([enqueuedJobSchema, rejectedJobSchema])).describe('one result per request entry, in request order'),
});

export const jobPageSchema = z.object({
  jobs: z.array(publicJobSchema),
  next: z.string().nullable().describe('cursor of the next page (send it as `after`), or null on the last page'),
});

const recentCountsSchema = z.object({
  lastMinute: z.number().int().min(0),
  lastHour: z.number().int().min(0),
});

export const queueStatsSchema = z.object({
  queue: z.string(),
  counts: z.object(Object.fromEntries(JOB_STATES.map((state) => [state, z.number().int().min(0)])) as Record<(typeof JOB_STATES)[number], z.ZodNumber>),
  total: z.number().int().min(0),
  completed: recentCountsSchema.describe('jobs that reached completed in the last minute and hour'),
  failed: recentCountsSchema.describe('jobs that reached dead in the last minute and hour'),
  oldestWaitingSeconds: z.number().int().min(0).nullable().describe('age of the oldest due job not yet started, or null when none waits'),
  throughput: z.object({
    bucketSeconds: z.number().int().min(1),
    buckets: z
      .array(z.object({ start: isoTimestamp, completed: z.number().int().min(0), dead: z.number().int().min(0) }))
      .describe('jobs that became completed or dead per minute over the last hour, oldest first; the last bucket is the current minute'),
  }),
  computedAt: isoTimestamp.describe('when the figures were computed; they are cached for SLUICE_STATS_CACHE_TTL_SECONDS'),
});

export const queueListSchema = z.object({
  queues: z.array(
    z.object({
      name: z.string(),
      priorityLanes: z.array(z.string()).describe("names of the queue's priority lanes, by rising minimum priority"),
      maxConcurrency: z.number().int().min(1),
      timeoutSeconds: z.number().int().min(1),
    }),
  ),
});

export const publicScheduleSchema = z.object({
  id: z.string(),
  queue: z.string(),
  cron: z.string(),
  timeZone: z.string(),
  job: z.object({ type: z.string(), payload: z.unknown(), maxAttempts: z.number().int().nullable() }),
  paused: z.boolean(),
  missedSlots: z.enum([MissedSlotPolicy.runOnce, MissedSlotPolicy.skip]),
  nextSlotAt: isoTimestamp,
  lastSlotAt: isoTimestamp.nullable(),
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});

export type PublicJob = z.infer<typeof publicJobSchema>;
export type EnqueuedJob = z.infer<typeof enqueuedJobSchema>;
export type RejectedJob = z.infer<typeof rejectedJobSchema>;
export type JobPage = z.infer<typeof jobPageSchema>;
export type QueueStats = z.infer<typeof queueStatsSchema>;
export type QueueList = z.infer<typeof queueListSchema>;
export type PublicSchedule = z.infer<typeof publicScheduleSchema>;
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
