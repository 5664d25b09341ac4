import { MongoClient } from 'mongodb';
import type { SluiceConfig } from '../config/env';
import { ConfigError } from '../errors';

/**
 * Creates the container's MongoClient: a small pool (Lambda runs one invocation at a time per
 * container) and bounded timeouts, so a container thawed after a long freeze reconnects quickly
 * instead of hanging on dead sockets.
 */
export function createMongoClient(config: SluiceConfig): MongoClient {
  if (config.MONGODB_URI === undefined) {
    throw new ConfigError('MONGODB_URI is not resolved yet; a handler must run the resolveSecrets middleware before it creates the services', { setting: 'MONGODB_URI' });
  }
  return new MongoClient(config.MONGODB_URI, {
    appName: `${config.SLUICE_SERVICE}-${config.SLUICE_STAGE}`,
    maxPoolSize: config.MONGODB_MAX_POOL_SIZE,
    minPoolSize: 0,
    serverSelectionTimeoutMS: config.MONGODB_TIMEOUT_MS,
    connectTimeoutMS: config.MONGODB_TIMEOUT_MS,
    socketTimeoutMS: config.MONGODB_TIMEOUT_MS * 6,
    maxIdleTimeMS: 60_000,
  });
}
