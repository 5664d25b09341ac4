import type { SQSClient } from '@aws-sdk/client-sqs';
import type { MiddlewareObj } from '@middy/core';
import type { Collection, MongoClient } from 'mongodb';
import { getConfig, type SluiceConfig } from '../config/env';
import { powertoolsSecretSources, resolveSecretSettings, type SecretSources } from '../config/secrets';
import type { JobDocument } from '../jobs/job';
import type { JobTypeRegistry } from '../jobs/registry';
import { createJobTypeRegistry } from '../jobs/types';
import { QueueCatalog } from '../queues/catalog';
import { QueueUrlResolver } from '../sqs/queue-urls';
import { StatsCache } from '../cache/stats-cache';
import { StatusCache } from '../cache/status-cache';
import { logger } from '../observability/logger';
import { withLimiterCommands, type LimiterRedis } from '../ratelimit/commands';
import { RedisFailureLog } from '../ratelimit/decision-log';
import type { ScheduleDocument } from '../schedules/schedule';
import { jobsCollection, schedulesCollection } from '../store/collections';
import type { QueueStats } from '../status/status';
import { createMongoClient } from './mongo';
import { createRedisClient, type RedisClient } from './redis';
import { createSqsClient } from './sqs';

/** Everything a function needs, created once per container and handed to the domain code. */
export interface Services {
  config: SluiceConfig;
  mongo: MongoClient;
  jobs: Collection<JobDocument>;
  schedules: Collection<ScheduleDocument>;
  redis: RedisClient;
  sqs: SQSClient;
  queueUrls: QueueUrlResolver;
  queues: QueueCatalog;
  jobTypes: JobTypeRegistry;
  statusCache: StatusCache;
  statsCache: StatsCache<QueueStats>;
  /** The Redis client with the rate limiter's and semaphore's scripts. */
  limiter: LimiterRedis;
  redisFailures: RedisFailureLog;
}

/** MongoClients whose topology closed; the driver rejects every operation on them from then on. */
const closedMongoClients = new WeakSet<MongoClient>();

/** Records when the client's topology closes, so {@link reopenClosedMongo} can replace it. */
function trackTopology(mongo: MongoClient): MongoClient {
  mongo.once('topologyClosed', () => closedMongoClients.add(mongo));
  return mongo;
}

/** Returns the jobs and schedules collections on `mongo`, with the client. */
function mongoServices(config: SluiceConfig, mongo: MongoClient): Pick<Services, 'mongo' | 'jobs' | 'schedules'> {
  return {
    mongo,
    jobs: jobsCollection(mongo.db(config.MONGODB_DATABASE)),
    schedules: schedulesCollection(mongo.db(config.MONGODB_DATABASE)),
  };
}

/** Builds the services from a configuration. Tests call this with their own configuration. */
export function createServices(config: SluiceConfig, mongo: MongoClient = createMongoClient(config)): Services {
  const redis = createRedisClient(config);
  const sqs = createSqsClient(config);
  return {
    config,
    ...mongoServices(config, trackTopology(mongo)),
    redis,
    sqs,
    queueUrls: new QueueUrlResolver(sqs),
    queues: QueueCatalog.load({ service: config.SLUICE_SERVICE, stage: config.SLUICE_STAGE }),
    jobTypes: createJobTypeRegistry(),
    statusCache: new StatusCache(redis, config.SLUICE_STATUS_CACHE_TTL_SECONDS, config.REDIS_TIMEOUT_MS),
    statsCache: new StatsCache<QueueStats>(
      redis,
      `${config.SLUICE_SERVICE}:${config.SLUICE_STAGE}:${config.MONGODB_DATABASE}`,
      config.SLUICE_STATS_CACHE_TTL_SECONDS,
      config.REDIS_TIMEOUT_MS,
    ),
    limiter: withLimiterCommands(redis),
    redisFailures: new RedisFailureLog(logger),
  };
}

/**
 * Returns `current` with a new MongoClient when the topology of its client closed, else `current`.
 * The mongodb driver (7.x) closes a client whose first connection attempt fails (server selection
 * timed out, connection refused) and then rejects every later operation with
 * MongoTopologyClosedError. Without a new client, a container whose first contact with MongoDB
 * failed would fail every invocation until Lambda retires it.
 */
export function reopenClosedMongo(current: Services): Services {
  if (!closedMongoClients.has(current.mongo)) {
    return current;
  }
  return { ...current, ...mongoServices(current.config, replaceClosedMongo(current.config)) };
}

/** Logs the replacement and creates a MongoClient in place of one whose topology closed. */
function replaceClosedMongo(config: SluiceConfig): MongoClient {
  logger.warn('the MongoClient was closed, most likely after its first connection attempt failed; creating a new one');
  return trackTopology(createMongoClient(config));
}

let services: Services | undefined;
let mongoClient: MongoClient | undefined;
let resolvedConfig: SluiceConfig | undefined;
let preparing: Promise<SluiceConfig> | undefined;

/**
 * Reads, once per container, the settings that come from SSM Parameter Store or Secrets Manager
 * (see {@link resolveSecretSettings}). A failed read is not remembered, so the next invocation
 * tries again.
 */
export function prepareConfig(sources: SecretSources = powertoolsSecretSources()): Promise<SluiceConfig> {
  preparing ??= resolveSecretSettings(getConfig(), sources).then((config) => {
    resolvedConfig = config;
    return config;
  });
  preparing.catch(() => {
    preparing = undefined;
  });
  return preparing;
}

/** Creates the container's services once, after {@link prepareConfig}. */
export async function prepareServices(sources?: SecretSources): Promise<Services> {
  await prepareConfig(sources);
  return getServices();
}

/** Returns the configuration with secrets resolved once {@link prepareConfig} ran, the plain environment before. */
function currentConfig(): SluiceConfig {
  return resolvedConfig ?? getConfig();
}

/**
 * Returns the container's MongoClient, created on first use. {@link getServices} shares it, and
 * functions that need only MongoDB (the API key authorizer) use it without creating Redis or SQS clients.
 */
export function getMongoClient(): MongoClient {
  if (mongoClient === undefined) {
    mongoClient = trackTopology(createMongoClient(currentConfig()));
  } else if (closedMongoClients.has(mongoClient)) {
    mongoClient = replaceClosedMongo(currentConfig());
  }
  return mongoClient;
}

/**
 * Returns the container's services, created on first use and reused by every later invocation.
 * No handler closes them: Lambda freezes the container with its connections open. Handlers run the
 * {@link servicesReady} middleware first, so settings from SSM or Secrets Manager are resolved by then.
 * A MongoClient the driver closed is replaced (see {@link reopenClosedMongo}).
 */
export function getServices(): Services {
  // getMongoClient replaces a closed shared client once, for the services and the authorizer alike.
  const mongo = getMongoClient();
  if (services === undefined) {
    services = createServices(currentConfig(), mongo);
  } else if (services.mongo !== mongo) {
    services = { ...services, ...mongoServices(services.config, mongo) };
  }
  return services;
}

/** Middleware that awaits {@link prepareServices} before the handler runs. */
export function servicesReady(): MiddlewareObj {
  return {
    before: async () => {
      await prepareServices();
    },
  };
}

/** Middleware that awaits {@link prepareConfig} before the handler runs, for functions that use only {@link getMongoClient}. */
export function configReady(): MiddlewareObj {
  return {
    before: async () => {
      await prepareConfig();
    },
  };
}
