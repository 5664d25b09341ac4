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

/** MongoClients whose topology closed; the driver rejects every operation on them from then on. */
const closedMongoClients = new WeakSet<MongoClient>();

/** Creates the MongoClient and the collections on it, and records when the client's topology closes. */
function createMongoServices(config: SluiceConfig): Pick<Services, 'mongo' | 'jobs' | 'schedules'> {
  const mongo = createMongoClient(config);
  mongo.once('topologyClosed', () => closedMongoClients.add(mongo));
  return {
    mongo,
    jobs: jobsCollection(mongo.db(config.MONGODB_DATABASE)),
    schedules: schedulesCollection(mongo.db(config.MONGODB_DATABASE)),
  };
}

/** Builds the services from a configuration. Tests call this with their own configuration. */
export function createServices(config: SluiceConfig): Services {
  const redis = createRedisClient(config);
  const sqs = createSqsClient(config);
  return {
    config,
    ...createMongoServices(config),
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
  logger.warn('the MongoClient was closed, most likely after its first connection attempt failed; creating a new one');
  return { ...current, ...createMongoServices(current.config) };
}

let services: Services | undefined;

/**
 * Returns the container's services, created on first use and reused by every later invocation.
 * No handler closes them: Lambda freezes the container with its connections open. A MongoClient
 * the driver closed is replaced (see {@link reopenClosedMongo}).
 */
export function getServices(): Services {
  services = services === undefined ? createServices(getConfig()) : reopenClosedMongo(services);
  return services;
}
