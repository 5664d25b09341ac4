import { z } from 'zod';
import { ConfigError } from '../errors';

/** SQS messages and API Gateway bodies stay far below this; a job payload lives in MongoDB. */
const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;

const hostPortPattern = /^[^\s:,]+:\d{1,5}$/;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const ssmParameterName = z.string().trim().regex(/^[A-Za-z0-9_.\-/]{1,2048}$/, 'must be an SSM parameter name such as /sluice/prod/mongodb-uri');
const secretArn = z
  .string()
  .trim()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/, 'must be a Secrets Manager secret ARN');

/** Settings that may come from SSM Parameter Store or Secrets Manager, with the variables naming their source. */
export const SECRET_SETTINGS = [
  { setting: 'MONGODB_URI', parameter: 'MONGODB_URI_PARAMETER', secretArn: 'MONGODB_URI_SECRET_ARN' },
  { setting: 'REDIS_PASSWORD', parameter: 'REDIS_PASSWORD_PARAMETER', secretArn: 'REDIS_PASSWORD_SECRET_ARN' },
] as const;

const envSchema = z
  .object({
    SLUICE_SERVICE: z.string().trim().min(1).default('sluice'),
    SLUICE_STAGE: z.string().trim().min(1).default('dev'),
    /** Queue served by a process function; unset in the other functions. */
    SLUICE_QUEUE: z.string().trim().min(1).optional(),
    /** MongoDB connection string; or set MONGODB_URI_PARAMETER or MONGODB_URI_SECRET_ARN instead. */
    MONGODB_URI: z
      .string()
      .trim()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional(),
    /** SSM Parameter Store name (a SecureString) of the MongoDB connection string, read at cold start. */
    MONGODB_URI_PARAMETER: ssmParameterName.optional(),
    /** Secrets Manager ARN of the MongoDB connection string (the secret's whole SecretString), read at cold start. */
    MONGODB_URI_SECRET_ARN: secretArn.optional(),
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
    /** `true` connects to Redis over TLS (ElastiCache with in-transit encryption); `rediss://` in REDIS_URL does the same. */
    REDIS_TLS: z.stringbool().default(false),
    /** Redis ACL user (ElastiCache RBAC); the default user when unset. */
    REDIS_USERNAME: z.string().trim().min(1).optional(),
    /** Redis password or ElastiCache AUTH token; prefer the parameter or secret below. */
    REDIS_PASSWORD: z.string().min(1).optional(),
    /** SSM Parameter Store name of the Redis password, read at cold start. */
    REDIS_PASSWORD_PARAMETER: ssmParameterName.optional(),
    /** Secrets Manager ARN of the Redis password, read at cold start. */
    REDIS_PASSWORD_SECRET_ARN: secretArn.optional(),
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
    for (const { setting, parameter, secretArn: arn } of SECRET_SETTINGS) {
      const sources = [setting, parameter, arn].filter((name) => env[name] !== undefined);
      if (sources.length > 1) {
        context.addIssue({ code: 'custom', path: [sources[1] as string], message: `is set together with ${sources[0]}; set only one of ${setting}, ${parameter} and ${arn}` });
      }
    }
    if (env.MONGODB_URI === undefined && env.MONGODB_URI_PARAMETER === undefined && env.MONGODB_URI_SECRET_ARN === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['MONGODB_URI'],
        message: 'is missing; set it to a MongoDB connection string such as mongodb://127.0.0.1:27017, or set MONGODB_URI_PARAMETER or MONGODB_URI_SECRET_ARN',
      });
    }
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
