import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Collection, MongoClient } from 'mongodb';
import { getConfig, type SluiceConfig } from '../config/env';
import type { JobDocument } from '../jobs/job';
import type { JobTypeRegistry } from '../jobs/registry';
import { createJobTypeRegistry } from '../jobs/types';
import { QueueCatalog } from '../queues/catalog';
import { QueueUrlResolver } from '../sqs/queue-urls';
import { StatusCache } from '../cache/status-cache';
import { logger } from '../observability/logger';
import { withLimiterCommands, type LimiterRedis } from '../ratelimit/commands';
import { RedisFailureLog } from '../ratelimit/decision-log';
import type { ScheduleDocument } from '../schedules/schedule';
import { jobsCollection, schedulesCollection } from '../store/collections';
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
  /** The Redis client with the rate limiter's and semaphore's scripts. */
  limiter: LimiterRedis;
  redisFailures: RedisFailureLog;
}

/** Builds the services from a configuration. Tests call this with their own configuration. */
export function createServices(config: SluiceConfig, mongo: MongoClient = createMongoClient(config)): Services {
  const redis = createRedisClient(config);
  const sqs = createSqsClient(config);
  return {
    config,
    mongo,
    jobs: jobsCollection(mongo.db(config.MONGODB_DATABASE)),
    schedules: schedulesCollection(mongo.db(config.MONGODB_DATABASE)),
    redis,
    sqs,
    queueUrls: new QueueUrlResolver(sqs),
    queues: QueueCatalog.load({ service: config.SLUICE_SERVICE, stage: config.SLUICE_STAGE }),
    jobTypes: createJobTypeRegistry(),
    statusCache: new StatusCache(redis, config.SLUICE_STATUS_CACHE_TTL_SECONDS, config.REDIS_TIMEOUT_MS),
    limiter: withLimiterCommands(redis),
    redisFailures: new RedisFailureLog(logger),
  };
}

let services: Services | undefined;
let mongoClient: MongoClient | undefined;

/**
 * Returns the container's MongoClient, created on first use. {@link getServices} shares it, and
 * functions that need only MongoDB (the API key authorizer) use it without creating Redis or SQS clients.
 */
export function getMongoClient(): MongoClient {
  mongoClient ??= createMongoClient(getConfig());
  return mongoClient;
}

/**
 * Returns the container's services, created on first use and reused by every later invocation.
 * No handler closes them: Lambda freezes the container with its connections open.
 */
export function getServices(): Services {
  services ??= createServices(getConfig(), getMongoClient());
  return services;
}
