import { z } from 'zod';
import { ConfigError } from '../errors';
import { setting } from './setting-meta';
import { parseAllowList } from '../jobs/types/webhook-guard';

/** SQS messages and API Gateway bodies stay far below this; a job payload lives in MongoDB. */
const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;

const hostPortPattern = /^[^\s:,]+:\d{1,5}$/;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * REDIS_NAT_MAP: `announced=reachable` pairs, comma-separated, such as
 * `172.18.0.2:6379=127.0.0.1:7000`. Cluster nodes behind Docker or NAT announce addresses the
 * client cannot reach; ioredis's `natMap` swaps each announced address for the reachable one.
 */
const natMapSchema = z
  .string()
  .trim()
  .transform((value) => value.split(',').map((pair) => pair.trim()).filter(Boolean))
  .pipe(
    z
      .array(
        z.string().regex(/^[^\s:,=]+:\d{1,5}=[^\s:,=]+:\d{1,5}$/, 'each entry must be announced-host:port=reachable-host:port, such as 172.18.0.2:6379=127.0.0.1:7000'),
      )
      .min(1),
  )
  .transform((pairs) =>
    Object.fromEntries(
      pairs.map((pair) => {
        const [announced, reachable] = pair.split('=') as [string, string];
        const separator = reachable.lastIndexOf(':');
        return [announced, { host: reachable.slice(0, separator), port: Number(reachable.slice(separator + 1)) }];
      }),
    ),
  );

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

/** The functions' environment variables, read once per container. */
export const envSchema = z
  .object({
    SLUICE_SERVICE: z.string().trim().min(1).default('sluice').meta(setting('Service name; the first part of every SQS queue name (`<service>-<stage>-<queue>`). Set by serverless.yml.')),
    SLUICE_STAGE: z.string().trim().min(1).default('dev').meta(setting('Stage name; the second part of every SQS queue name. Set by serverless.yml.')),
    SLUICE_QUEUE: z.string().trim().min(1).optional().meta(setting('Queue served by a process function; set by serverless.yml on process functions only.')),
    MONGODB_URI: z
      .string()
      .trim()
      .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
      .optional()
      .meta(setting('MongoDB connection string. Required unless MONGODB_URI_PARAMETER or MONGODB_URI_SECRET_ARN is set.')),
    MONGODB_URI_PARAMETER: ssmParameterName.optional().meta(setting('SSM Parameter Store name (String or SecureString) that contains the MongoDB connection string, read at cold start.')),
    MONGODB_URI_SECRET_ARN: secretArn.optional().meta(setting('Secrets Manager secret ARN whose SecretString is the MongoDB connection string, read at cold start.')),
    MONGODB_DATABASE: z.string().trim().min(1).default('sluice').meta(setting('MongoDB database name.')),
    MONGODB_MAX_POOL_SIZE: positiveInt(5).meta(setting('MongoDB connections per container.', 'count')),
    MONGODB_TIMEOUT_MS: positiveInt(5000).meta(setting('MongoDB server selection and connect timeout; socket timeout is 6 times it.', 'ms')),
    REDIS_CLUSTER_NODES: z
      .string()
      .trim()
      .transform((value) => value.split(',').map((node) => node.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(hostPortPattern, 'each node must be host:port')).min(1))
      .optional()
      .meta(setting('Redis Cluster seed nodes, `host:port,host:port` (ElastiCache cluster mode: the configuration endpoint). Set this or REDIS_URL.')),
    REDIS_URL: z
      .string()
      .trim()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional()
      .meta(setting('A single Redis node (`redis://` or `rediss://` for TLS) instead of a cluster.')),
    REDIS_NAT_MAP: natMapSchema
      .optional()
      .meta(setting('Address map for a Redis Cluster behind Docker or NAT: `announced-host:port=reachable-host:port` pairs, comma-separated, such as `172.18.0.2:6379=127.0.0.1:7000` (ioredis natMap).')),
    REDIS_TIMEOUT_MS: positiveInt(1000).meta(setting('Redis connect and command timeout.', 'ms')),
    REDIS_TLS: z.stringbool().default(false).meta(setting('`true` connects to every Redis node over TLS (ElastiCache in-transit encryption).')),
    REDIS_USERNAME: z.string().trim().min(1).optional().meta(setting('Redis ACL user (ElastiCache RBAC); the default user when unset.')),
    REDIS_PASSWORD: z.string().min(1).optional().meta(setting('Redis password or ElastiCache AUTH token; prefer REDIS_PASSWORD_PARAMETER or REDIS_PASSWORD_SECRET_ARN.')),
    REDIS_PASSWORD_PARAMETER: ssmParameterName.optional().meta(setting('SSM Parameter Store name that contains the Redis password, read at cold start.')),
    REDIS_PASSWORD_SECRET_ARN: secretArn.optional().meta(setting('Secrets Manager secret ARN whose SecretString is the Redis password, read at cold start.')),
    AWS_REGION: z.string().trim().min(1).default('us-east-1').meta(setting('AWS region of SQS, SSM and Secrets Manager; Lambda sets it.')),
    SQS_ENDPOINT: z.url().optional().meta(setting('SQS endpoint for LocalStack or the local emulator; unset on AWS.')),
    SQS_TIMEOUT_MS: positiveInt(5000).meta(setting('SQS request timeout.', 'ms')),
    SLUICE_MAX_PAYLOAD_BYTES: positiveInt(DEFAULT_MAX_PAYLOAD_BYTES).meta(setting('Largest request body for one job; a batch may be 100 times it.', 'bytes')),
    SLUICE_STATUS_CACHE_TTL_SECONDS: positiveInt(3600).meta(setting('How long the Redis status cache keeps a job.', 's')),
    SLUICE_STATS_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(5).meta(setting('How long `GET /queues/{queue}/stats` serves cached figures before it aggregates again; 0 turns the cache off.', 's')),
    SLUICE_IDEMPOTENCY_WINDOW_SECONDS: positiveInt(24 * 60 * 60).meta(setting('How long an idempotency key returns the job it first created.', 's')),
    SLUICE_OUTBOX_GRACE_SECONDS: positiveInt(30).meta(setting('How long dispatch leaves a new job to the enqueue call that is sending it before sending it itself.', 's')),
    SLUICE_STALE_MESSAGE_SECONDS: positiveInt(900).meta(setting('A ready job still not run this long after its message was sent is sent again.', 's')),
    SLUICE_COMPLETED_RETENTION_SECONDS: positiveInt(7 * 24 * 60 * 60).meta(setting('Completed and cancelled jobs are deleted this long after they finish (a TTL index on `expiresAt`).', 's')),
    SLUICE_DEAD_RETENTION_SECONDS: positiveInt(30 * 24 * 60 * 60).meta(setting('Dead jobs are kept this long after their last attempt, for listing and retry, then deleted.', 's')),
    SLUICE_WEBHOOK_ALLOW: z
      .string()
      .trim()
      .superRefine((value, context) => {
        try {
          parseAllowList(value);
        } catch (error) {
          context.addIssue({ code: 'custom', message: `contains an invalid entry: ${(error as Error).message.replace(/^SLUICE_WEBHOOK_ALLOW entry /, '')}` });
        }
      })
      .optional()
      .meta(setting('Webhook destinations the `http` job type may reach although they are private, loopback, link-local or metadata addresses: CIDR ranges, addresses and host names, comma-separated. Unset allows only public addresses.')),
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
    if (env.REDIS_NAT_MAP && !env.REDIS_CLUSTER_NODES) {
      context.addIssue({
        code: 'custom',
        path: ['REDIS_NAT_MAP'],
        message: 'applies only to a Redis Cluster; set REDIS_CLUSTER_NODES too, or unset REDIS_NAT_MAP',
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
