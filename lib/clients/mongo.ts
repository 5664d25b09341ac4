import { MongoClient, type MongoClientOptions } from 'mongodb';
import type { SluiceConfig } from '../config/env';
import { ConfigError } from '../errors';

/** A pooled connection unused this long is closed, so a quiet container keeps no sockets a NAT or load balancer may cut. */
const MONGODB_MAX_IDLE_MS = 60_000;
/** A socket may stay silent this many command timeouts (a long aggregation) before the driver gives up on it. */
const SOCKET_TIMEOUT_FACTOR = 6;

/**
 * Returns the MongoClient options Sluice uses; docs/connections.md gives each value and reason.
 * Every timeout is bounded, so a container thawed with dead sockets fails an operation within
 * seconds instead of waiting for Lambda's timeout.
 */
export function mongoClientOptions(config: SluiceConfig): MongoClientOptions {
  return {
    appName: `${config.SLUICE_SERVICE}-${config.SLUICE_STAGE}`,
    // A container runs one invocation at a time; the pool only serves that invocation's parallel records.
    maxPoolSize: config.MONGODB_MAX_POOL_SIZE,
    minPoolSize: 0,
    maxIdleTimeMS: MONGODB_MAX_IDLE_MS,
    serverSelectionTimeoutMS: config.MONGODB_TIMEOUT_MS,
    connectTimeoutMS: config.MONGODB_TIMEOUT_MS,
    socketTimeoutMS: config.MONGODB_TIMEOUT_MS * SOCKET_TIMEOUT_FACTOR,
    // One retry after a network error or failover. Writes retry only on replica sets and mongos.
    retryWrites: true,
    retryReads: true,
  };
}

/** Creates the container's MongoClient. It connects on the first operation, not here. */
export function createMongoClient(config: SluiceConfig): MongoClient {
  if (config.MONGODB_URI === undefined) {
    throw new ConfigError('MONGODB_URI is not resolved yet; a handler must run the servicesReady or configReady middleware before it creates a client', { setting: 'MONGODB_URI' });
  }
  return new MongoClient(config.MONGODB_URI, mongoClientOptions(config));
}
