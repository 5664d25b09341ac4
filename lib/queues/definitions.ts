import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors';

/** SQS caps `DelaySeconds` and the SQS event source's batching window at 900 s and 300 s. */
export const SQS_MAX_DELAY_SECONDS = 900;
const SQS_MAX_BATCHING_WINDOW_SECONDS = 300;
/** SQS accepts a visibility timeout of at most 12 hours. */
const SQS_MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/** AWS recommends a visibility timeout of at least six times the function timeout for SQS event sources. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** Lambda's SQS event source accepts `maximumConcurrency` from 2 to 1000. */
const MIN_EVENT_SOURCE_CONCURRENCY = 2;
const MAX_EVENT_SOURCE_CONCURRENCY = 1000;
/** A standard queue's event source takes at most 10 records per batch without a batching window. */
const MAX_BATCH_SIZE_WITHOUT_WINDOW = 10;
const MAX_BATCH_SIZE = 10_000;
/** Lambda functions run for at most 900 s. */
const MAX_FUNCTION_TIMEOUT_SECONDS = 900;

const queueNamePattern = /^[a-z][a-z0-9-]{0,39}$/;
const limitNamePattern = /^[a-z][a-z0-9-]{0,39}$/;

/** Source of a limit's key: a field of the job, and optionally the host of a URL in it. */
const keyBySchema = z.strictObject({
  field: z
    .string()
    .regex(/^(type|payload(\.[A-Za-z0-9_-]+)+)$/, 'must be "type" or a payload field path such as "payload.tenantId"'),
  part: z.enum(['host']).optional(),
});

const limitScope = {
  name: z.string().regex(limitNamePattern, 'limit names are 1-40 lowercase letters, digits or dashes'),
  /** Applies only to jobs of this type; all jobs of the queue when unset. */
  jobType: z.string().min(1).optional(),
  /** One bucket per distinct key value; one bucket for the whole queue when unset. */
  keyBy: keyBySchema.optional(),
};

const rateLimitSchema = z
  .strictObject({
    ...limitScope,
    ratePerSecond: z.number().positive().max(100_000),
    /** Tokens available at once; defaults to one second's worth (at least 1). */
    burst: z.number().int().min(1).max(1_000_000).optional(),
  })
  .transform((limit) => ({ ...limit, burst: limit.burst ?? Math.max(1, Math.ceil(limit.ratePerSecond)) }));

const concurrencyLimitSchema = z.strictObject({
  ...limitScope,
  /** Jobs with one key value that may run at once. */
  limit: z.number().int().min(1).max(10_000),
});

/** Highest job priority; 0 is the default. */
export const MAX_PRIORITY = 9;

/**
 * A priority lane: its own SQS queue and process function for jobs of at least `minPriority`,
 * so high-priority jobs do not wait behind a backlog of normal ones.
 */
const priorityLaneSchema = z.strictObject({
  name: z.string().regex(limitNamePattern, 'lane names are 1-40 lowercase letters, digits or dashes'),
  minPriority: z.number().int().min(1).max(MAX_PRIORITY),
  maxConcurrency: z.number().int().min(MIN_EVENT_SOURCE_CONCURRENCY).max(MAX_EVENT_SOURCE_CONCURRENCY),
});

/** Choice of the process function when a limiter call to Redis fails. */
export const RedisFailurePolicy = { failClosed: 'fail-closed', failOpen: 'fail-open' } as const;

const queueSettingsSchema = z
  .strictObject({
    timeoutSeconds: z.number().int().min(1).max(MAX_FUNCTION_TIMEOUT_SECONDS).default(30),
    maxConcurrency: z.number().int().min(MIN_EVENT_SOURCE_CONCURRENCY).max(MAX_EVENT_SOURCE_CONCURRENCY).default(10),
    batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE).default(10),
    maximumBatchingWindowSeconds: z.number().int().min(0).max(SQS_MAX_BATCHING_WINDOW_SECONDS).default(0),
    maxReceiveCount: z.number().int().min(1).max(1000).default(5),
    messageRetentionSeconds: z.number().int().min(60).max(1_209_600).default(1_209_600),
    /** Records of one invocation that run at once; defaults to all of them (batchSize). */
    recordConcurrency: z.number().int().min(1).max(MAX_BATCH_SIZE).optional(),
    rateLimits: z.array(rateLimitSchema).default([]),
    concurrencyLimits: z.array(concurrencyLimitSchema).default([]),
    /** fail-closed (default): a job whose limit cannot be checked waits and is sent again; fail-open: it runs. */
    onRedisError: z.enum([RedisFailurePolicy.failClosed, RedisFailurePolicy.failOpen]).default(RedisFailurePolicy.failClosed),
    priorityLanes: z.array(priorityLaneSchema).max(5).default([]),
  })
  .superRefine((settings, context) => {
    const names = [...settings.rateLimits, ...settings.concurrencyLimits].map((limit) => limit.name);
    const repeated = names.find((name, index) => names.indexOf(name) !== index);
    if (repeated !== undefined) {
      context.addIssue({ code: 'custom', path: ['rateLimits'], message: `limit name "${repeated}" is used twice; give each limit of a queue its own name` });
    }
    const lanePriorities = settings.priorityLanes.map((lane) => lane.minPriority);
    const laneNames = settings.priorityLanes.map((lane) => lane.name);
    if (new Set(lanePriorities).size !== lanePriorities.length || new Set(laneNames).size !== laneNames.length) {
      context.addIssue({ code: 'custom', path: ['priorityLanes'], message: 'lanes need distinct names and distinct minPriority values' });
    }
    if (settings.batchSize > MAX_BATCH_SIZE_WITHOUT_WINDOW && settings.maximumBatchingWindowSeconds < 1) {
      context.addIssue({
        code: 'custom',
        path: ['maximumBatchingWindowSeconds'],
        message: `batchSize ${settings.batchSize} is over ${MAX_BATCH_SIZE_WITHOUT_WINDOW}, which Lambda allows only with maximumBatchingWindowSeconds of 1 or more`,
      });
    }
    if (settings.timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR > SQS_MAX_VISIBILITY_TIMEOUT_SECONDS) {
      context.addIssue({
        code: 'custom',
        path: ['timeoutSeconds'],
        message: `timeoutSeconds ${settings.timeoutSeconds} needs a visibility timeout over the SQS maximum of ${SQS_MAX_VISIBILITY_TIMEOUT_SECONDS} s`,
      });
    }
  });

const queuesFileSchema = z.strictObject({
  $comment: z.string().optional(),
  queues: z.record(
    z.string().regex(queueNamePattern, 'queue names are 1-40 lowercase letters, digits or dashes, starting with a letter'),
    queueSettingsSchema,
  ),
});

export type QueueSettings = z.infer<typeof queueSettingsSchema>;
export type RateLimitDefinition = QueueSettings['rateLimits'][number];
export type ConcurrencyLimitDefinition = QueueSettings['concurrencyLimits'][number];

/** The SQS queue, dead-letter queue and process function of one lane of a queue. */
export interface QueueChannel {
  /** Lane name; null for the queue's base lane (priority below every lane). */
  lane: string | null;
  minPriority: number;
  sqsName: string;
  deadLetterSqsName: string;
  functionName: string;
  maxConcurrency: number;
  reservedConcurrency: number;
}

/** One queue with the names and settings derived from its definition. */
export interface QueueDefinition extends QueueSettings {
  /** Logical name used in the HTTP API and in job documents. */
  name: string;
  /** SQS queue name: `<service>-<stage>-<name>`. */
  sqsName: string;
  /** Dead-letter queue name: `<service>-<stage>-<name>-dlq`. */
  deadLetterSqsName: string;
  /** Function timeout times {@link VISIBILITY_TIMEOUT_FACTOR}. */
  visibilityTimeoutSeconds: number;
  /** Reserved concurrency of the process function; equal to the event source's maximum concurrency. */
  reservedConcurrency: number;
  /** Name of the process function in serverless.yml: `process-<name>`. */
  functionName: string;
  /** Records of one invocation that run at once. */
  recordConcurrency: number;
  /** The base lane first, then the priority lanes by rising `minPriority`. */
  channels: QueueChannel[];
}

/** Returns the channel that carries a job of `priority`: the lane with the highest `minPriority` at or below it. */
export function channelFor(queue: QueueDefinition, priority: number): QueueChannel {
  let chosen = queue.channels[0] as QueueChannel;
  for (const channel of queue.channels) {
    if (channel.minPriority <= priority) {
      chosen = channel;
    }
  }
  return chosen;
}

export interface QueueNaming {
  service: string;
  stage: string;
}

export const DEFAULT_QUEUES_FILE = join(__dirname, '..', '..', 'queues.json');

/**
 * Returns the queue definitions file named by SLUICE_QUEUES_FILE, or undefined when it is unset.
 * serverless.yml, the local stack and the functions all honour it, so one variable switches every
 * part to another set of queues (the tests and benchmarks use it).
 */
export function queuesFileFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const file = env.SLUICE_QUEUES_FILE?.trim();
  return file ? file : undefined;
}

/**
 * Parses queue definitions and derives SQS names, visibility timeouts and concurrency.
 * Throws {@link ConfigError} naming the file, the queue and the setting when a value is invalid.
 */
export function parseQueueDefinitions(raw: unknown, naming: QueueNaming, source = 'queues.json'): QueueDefinition[] {
  const parsed = queuesFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`${source} is invalid; fix these settings: ${problems.join('; ')}`, { setting: source });
  }
  const names = Object.keys(parsed.data.queues);
  if (names.length === 0) {
    throw new ConfigError(`${source} defines no queue; add at least one under "queues"`, { setting: source });
  }
  return names.map((name) => {
    const settings = parsed.data.queues[name] as QueueSettings;
    const sqsName = `${naming.service}-${naming.stage}-${name}`;
    return {
      ...settings,
      name,
      sqsName,
      deadLetterSqsName: `${sqsName}-dlq`,
      visibilityTimeoutSeconds: settings.timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR,
      reservedConcurrency: settings.maxConcurrency,
      functionName: `process-${name}`,
      recordConcurrency: settings.recordConcurrency ?? settings.batchSize,
      channels: [
        {
          lane: null,
          minPriority: 0,
          sqsName,
          deadLetterSqsName: `${sqsName}-dlq`,
          functionName: `process-${name}`,
          maxConcurrency: settings.maxConcurrency,
          reservedConcurrency: settings.maxConcurrency,
        },
        ...[...settings.priorityLanes]
          .sort((a, b) => a.minPriority - b.minPriority)
          .map((lane) => ({
            lane: lane.name,
            minPriority: lane.minPriority,
            sqsName: `${sqsName}-${lane.name}`,
            deadLetterSqsName: `${sqsName}-${lane.name}-dlq`,
            functionName: `process-${name}-${lane.name}`,
            maxConcurrency: lane.maxConcurrency,
            reservedConcurrency: lane.maxConcurrency,
          })),
      ],
    };
  });
}

/** Reads and parses a queues file (default: `queues.json` at the repository root). */
export function loadQueueDefinitions(naming: QueueNaming, file = DEFAULT_QUEUES_FILE): QueueDefinition[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read queue definitions from ${file}; it must be a JSON file`, { setting: file, cause: error });
  }
  return parseQueueDefinitions(raw, naming, file);
}
