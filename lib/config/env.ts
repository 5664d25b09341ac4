import { z } from 'zod';
import { ConfigError } from '../errors';

/** SQS messages and API Gateway bodies stay far below this; a job payload lives in MongoDB. */
const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;

const hostPortPattern = /^[^\s:,]+:\d{1,5}$/;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z
  .object({
    SLUICE_SERVICE: z.string().trim().min(1).default('sluice'),
    SLUICE_STAGE: z.string().trim().min(1).default('dev'),
    /** Queue served by a process function; unset in the other functions. */
    SLUICE_QUEUE: z.string().trim().min(1).optional(),
    MONGODB_URI: z
      .string({ error: 'is missing; set it to a MongoDB connection string such as mongodb://127.0.0.1:27017' })
      .trim()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://'),
    MONGODB_DATABASE: z.string().trim().min(1).default('sluice'),
    MONGODB_MAX_POOL_SIZE: positiveInt(5),
    MONGODB_TIMEOUT_MS: positiveInt(5000),
    REDIS_CLUSTER_NODES: z
      .string()
      .trim()
      .transform((value) => value.split(',').map((node) => node.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(hostPortPattern, 'each node must be host:port')).min(1))
      .optional(),
    REDIS_URL: z.string().trim().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
    REDIS_TIMEOUT_MS: positiveInt(1000),
    AWS_REGION: z.string().trim().min(1).default('us-east-1'),
    /** Local SQS endpoint (LocalStack or fauxqs); unset on AWS. */
    SQS_ENDPOINT: z.url().optional(),
    SQS_TIMEOUT_MS: positiveInt(5000),
    SLUICE_MAX_PAYLOAD_BYTES: positiveInt(DEFAULT_MAX_PAYLOAD_BYTES),
    SLUICE_STATUS_CACHE_TTL_SECONDS: positiveInt(3600),
    /** How long an idempotency key returns the job it first created. */
    SLUICE_IDEMPOTENCY_WINDOW_SECONDS: positiveInt(24 * 60 * 60),
    /** How long dispatch leaves a new job to the enqueue call that is sending it before sending it itself. */
    SLUICE_OUTBOX_GRACE_SECONDS: positiveInt(30),
    /** A ready job still in MongoDB this long after its message was sent is sent again. */
    SLUICE_STALE_MESSAGE_SECONDS: positiveInt(900),
    /** Completed and cancelled jobs are deleted this long after they finish (a TTL index on `expiresAt`). */
    SLUICE_COMPLETED_RETENTION_SECONDS: positiveInt(7 * 24 * 60 * 60),
    /** Dead jobs are kept this long after their last attempt, for listing and retry, then deleted. */
    SLUICE_DEAD_RETENTION_SECONDS: positiveInt(30 * 24 * 60 * 60),
  })
  .superRefine((env, context) => {
    if (env.REDIS_CLUSTER_NODES && env.REDIS_URL) {
      context.addIssue({
        code: 'custom',
        path: ['REDIS_URL'],
        message: 'is set together with REDIS_CLUSTER_NODES; set only one of them',
      });
    }
    if (!env.REDIS_CLUSTER_NODES && !env.REDIS_URL) {
      context.addIssue({
        code: 'custom',
        path: ['REDIS_CLUSTER_NODES'],
        message: 'is missing; set REDIS_CLUSTER_NODES (host:port,host:port) or REDIS_URL (redis://host:port)',
      });
    }
  });

export type SluiceConfig = z.infer<typeof envSchema>;

/** Names of the environment variables {@link readConfig} reads. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as (keyof SluiceConfig)[];

/**
 * Reads Sluice's configuration from environment variables, trimming values and applying defaults.
 * Throws {@link ConfigError} naming every invalid variable and how to fix it.
 */
export function readConfig(env: NodeJS.ProcessEnv = process.env): SluiceConfig {
  // serverless.yml passes unset optional variables as empty strings; treat them as unset.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      const received = env[variable] === undefined ? '' : ` (value: ${JSON.stringify(env[variable])})`;
      return `${variable}${received} ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`, { setting: String(parsed.error.issues[0]?.path[0]) });
  }
  return parsed.data;
}

let cached: SluiceConfig | undefined;

/** Returns the configuration read once per container (cold start). */
export function getConfig(): SluiceConfig {
  cached ??= readConfig();
  return cached;
}
