import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { setting } from '../config/setting-meta';
import { ConfigError } from '../errors';

import {
  defaultVisibilityTimeout,
  SQS_MAX_BATCHING_WINDOW_SECONDS,
  SQS_MAX_DELAY_SECONDS,
  VISIBILITY_TIMEOUT_FACTOR,
  MIN_MAX_RECEIVE_COUNT,
} from './limits';
import { queueRuleProblems } from './rules';

export { SQS_MAX_DELAY_SECONDS, VISIBILITY_TIMEOUT_FACTOR };

/** A standard queue's event source takes at most 10 records per batch without a batching window. */
const MAX_BATCH_SIZE_WITHOUT_WINDOW = 10;
const MAX_BATCH_SIZE = 10_000;
/** Lambda functions run for at most 900 s. */
const MAX_FUNCTION_TIMEOUT_SECONDS = 900;
/** Lambda memory in MB: 128 to 10,240. */
const MIN_FUNCTION_MEMORY_MB = 128;
const MAX_FUNCTION_MEMORY_MB = 10_240;
/** Upper bound on a queue's default `maxAttempts`, as for a job request. */
const MAX_QUEUE_MAX_ATTEMPTS = 100;

const queueNamePattern = /^[a-z][a-z0-9-]{0,39}$/;
const limitNamePattern = /^[a-z][a-z0-9-]{0,39}$/;

/** Source of a limit's key: a field of the job, and optionally the host of a URL in it. */
export const keyBySchema = z.strictObject({
  field: z
    .string()
    .regex(/^(type|payload(\.[A-Za-z0-9_-]+)+)$/, 'must be "type" or a payload field path such as "payload.tenantId"')
    .meta(setting('Job field whose value keys the limit: `type` or a payload path such as `payload.tenantId`.')),
  part: z.enum(['host']).optional().meta(setting('`host`: key on the host of the URL in `field` (one limit per webhook destination).')),
});

const limitScope = {
  name: z.string().regex(limitNamePattern, 'limit names are 1-40 lowercase letters, digits or dashes').meta(setting('Limit name, unique within the queue: 1-40 lowercase letters, digits or dashes.')),
  jobType: z.string().min(1).optional().meta(setting('Applies only to jobs of this type; all jobs of the queue when unset.')),
  keyBy: keyBySchema.optional().meta(setting('`{ field, part? }`: one limit per distinct key value; one limit for the whole queue when unset.')),
};

export const rateLimitSchema = z
  .strictObject({
    ...limitScope,
    ratePerSecond: z.number().positive().max(100_000).meta(setting('Tokens added per second; fractions allowed.', 'count/s')),
    burst: z.number().int().min(1).max(1_000_000).optional().meta(setting('Tokens available at once; one second of the rate (at least 1) when unset.', 'count')),
  })
  .transform((limit) => ({ ...limit, burst: limit.burst ?? Math.max(1, Math.ceil(limit.ratePerSecond)) }));

export const concurrencyLimitSchema = z.strictObject({
  ...limitScope,
  limit: z.number().int().min(1).max(10_000).meta(setting('Jobs with one key value that may run at once.', 'count')),
});

/** Highest job priority; 0 is the default. */
export const MAX_PRIORITY = 9;

/**
 * A priority lane: its own SQS queue and process function for jobs of at least `minPriority`,
 * so high-priority jobs do not wait behind a backlog of normal ones.
 */
export const priorityLaneSchema = z.strictObject({
  name: z.string().regex(limitNamePattern, 'lane names are 1-40 lowercase letters, digits or dashes').meta(setting('Lane name: 1-40 lowercase letters, digits or dashes; its SQS queue is `<queue>-<lane>`.')),
  minPriority: z.number().int().min(1).max(MAX_PRIORITY).meta(setting('Lowest job priority the lane carries (1-9).')),
  maxConcurrency: z.number().int().positive().meta(setting("The lane's event source maximum concurrency and its function's reserved concurrency (2-1000).", 'count')),
});

/** Choice of the process function when a limiter call to Redis fails. */
export const RedisFailurePolicy = { failClosed: 'fail-closed', failOpen: 'fail-open' } as const;

/** Settings of one queue in queues.json. */
export const queueSettingsSchema = z
  .strictObject({
    timeoutSeconds: z.number().int().min(1).max(MAX_FUNCTION_TIMEOUT_SECONDS).default(30).meta(setting('Process function timeout.', 's')),
    memorySize: z.number().int().min(MIN_FUNCTION_MEMORY_MB).max(MAX_FUNCTION_MEMORY_MB).default(512).meta(setting('Process function memory.', 'MB')),
    maxConcurrency: z.number().int().positive().default(10).meta(setting("The SQS event source's maximum concurrency (2-1000); also the reserved concurrency unless reservedConcurrency is set.", 'count')),
    reservedConcurrency: z.number().int().positive().optional().meta(setting('Reserved concurrency of the process function; maxConcurrency when unset, and never below it.', 'count')),
    batchSize: z.number().int().min(1).max(MAX_BATCH_SIZE).default(10).meta(setting('Records per invocation; over 10 needs maximumBatchingWindowSeconds of 1 or more.', 'count')),
    maximumBatchingWindowSeconds: z.number().int().min(0).max(SQS_MAX_BATCHING_WINDOW_SECONDS).default(0).meta(setting('How long the event source gathers a batch.', 's')),
    visibilityTimeoutSeconds: z.number().int().positive().optional().meta(setting('SQS visibility timeout; 6 x timeoutSeconds + maximumBatchingWindowSeconds when unset, and never below that.', 's')),
    maxReceiveCount: z.number().int().positive().default(MIN_MAX_RECEIVE_COUNT).meta(setting('Receives before SQS moves a message to the dead-letter queue (5-1000).', 'count')),
    messageRetentionSeconds: z.number().int().min(60).max(1_209_600).default(1_209_600).meta(setting('How long SQS keeps a message.', 's')),
    delaySeconds: z.number().int().min(0).default(0).meta(setting("The queue's SQS DelaySeconds: every message waits this long before its first delivery (0-900).", 's')),
    maxAttempts: z.number().int().min(1).max(MAX_QUEUE_MAX_ATTEMPTS).optional().meta(setting("Attempts of a job whose request sets none; the job type's default when unset.", 'count')),
    recordConcurrency: z.number().int().min(1).max(MAX_BATCH_SIZE).optional().meta(setting('Records of one invocation that run at once; batchSize when unset.', 'count')),
    rateLimits: z.array(rateLimitSchema).default([]).meta(setting('Token buckets in Redis; see Rate limits below.')),
    concurrencyLimits: z.array(concurrencyLimitSchema).default([]).meta(setting('Semaphores in Redis; see Concurrency limits below.')),
    onRedisError: z
      .enum([RedisFailurePolicy.failClosed, RedisFailurePolicy.failOpen])
      .default(RedisFailurePolicy.failClosed)
      .meta(setting('When Redis cannot answer a limit check: `fail-closed` sends the job back for 5 s, `fail-open` runs it.')),
    priorityLanes: z.array(priorityLaneSchema).max(5).default([]).meta(setting('Up to 5 lanes, each its own SQS queue and process function; see Priority lanes below.')),
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
  /** SQS visibility timeout: as set, or 6 x the function timeout + the batching window. */
  visibilityTimeoutSeconds: number;
  /** Reserved concurrency of the process function: as set, or the event source's maximum concurrency. */
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

/** Formats one zod issue of a queues file as `queue "<name>": <setting> <problem>`. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const [root, queue, ...setting] = issue.path.map(String);
  if (issue.code === 'invalid_key') {
    return `queue name "${String(issue.path.at(-1))}" is invalid; ${issue.issues[0]?.message ?? 'rename it'}`;
  }
  if (issue.code === 'unrecognized_keys') {
    const where = root === 'queues' && queue !== undefined ? `queue "${queue}"${setting.length > 0 ? ` ${setting.join('.')}` : ''}` : '(root)';
    return `${where}: unknown setting${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}; check the spelling against docs/configuration.md`;
  }
  if (root === 'queues' && queue !== undefined) {
    return `queue "${queue}": ${setting.length > 0 ? `${setting.join('.')} ` : ''}${issue.message}`;
  }
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}

function deriveDefinition(name: string, settings: QueueSettings, naming: QueueNaming): QueueDefinition {
  const sqsName = `${naming.service}-${naming.stage}-${name}`;
  const reservedConcurrency = settings.reservedConcurrency ?? settings.maxConcurrency;
  return {
    ...settings,
    name,
    sqsName,
    deadLetterSqsName: `${sqsName}-dlq`,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds ?? defaultVisibilityTimeout(settings.timeoutSeconds, settings.maximumBatchingWindowSeconds),
    reservedConcurrency,
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
        reservedConcurrency,
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
}

/**
 * Checks queue definitions without deriving anything from them: unknown keys, out-of-range values
 * and the rules of {@link queueRuleProblems}. Returns one message per problem, each naming the
 * queue and the setting; an empty list means the definitions pass.
 */
export function checkQueueDefinitions(raw: unknown, naming: QueueNaming = { service: 'sluice', stage: 'check' }): string[] {
  const parsed = queuesFileSchema.safeParse(raw);
  if (!parsed.success) {
    return parsed.error.issues.map(describeIssue);
  }
  const names = Object.keys(parsed.data.queues);
  if (names.length === 0) {
    return ['no queue is defined; add at least one under "queues"'];
  }
  return names.flatMap((name) => queueRuleProblems(deriveDefinition(name, parsed.data.queues[name] as QueueSettings, naming)));
}

/**
 * Parses queue definitions and derives SQS names, visibility timeouts and concurrency.
 * Throws {@link ConfigError} naming the file, the queue and the setting when a value is invalid
 * or a rule of {@link checkQueueDefinitions} is broken.
 */
export function parseQueueDefinitions(raw: unknown, naming: QueueNaming, source = 'queues.json'): QueueDefinition[] {
  const problems = checkQueueDefinitions(raw, naming);
  if (problems.length > 0) {
    throw new ConfigError(`${source} is invalid; fix these settings: ${problems.join('; ')}`, { setting: source });
  }
  const parsed = queuesFileSchema.parse(raw);
  return Object.entries(parsed.queues).map(([name, settings]) => deriveDefinition(name, settings, naming));
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
