import { Cluster, Redis } from 'ioredis';
import type { SluiceConfig } from '../config/env';
import { describeError, logger } from '../observability/logger';

export type RedisClient = Redis | Cluster;

/**
 * Creates the container's Redis client: a Cluster client when REDIS_CLUSTER_NODES is set, otherwise
 * a single-node client for REDIS_URL. Commands time out after REDIS_TIMEOUT_MS and are not queued
 * while disconnected, because Redis is only a cache and limiter here: callers fall back instead of waiting.
 */
/** Connection errors repeat while Redis is down; log the first and then one per interval. */
const ERROR_LOG_INTERVAL_MS = 10_000;

function logConnectionErrors(client: RedisClient): RedisClient {
  let lastLoggedAt = 0;
  let suppressed = 0;
  client.on('error', (error: unknown) => {
    const now = Date.now();
    if (now - lastLoggedAt < ERROR_LOG_INTERVAL_MS) {
      suppressed += 1;
      return;
    }
    logger.warn('Redis connection error; status cache and limiter calls fail fast until it recovers', { error: describeError(error), suppressedSinceLast: suppressed });
    lastLoggedAt = now;
    suppressed = 0;
  });
  return client;
}

export function createRedisClient(config: SluiceConfig): RedisClient {
  const nodeOptions = {
    connectTimeout: config.REDIS_TIMEOUT_MS,
    commandTimeout: config.REDIS_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    ...(config.REDIS_USERNAME === undefined ? {} : { username: config.REDIS_USERNAME }),
    ...(config.REDIS_PASSWORD === undefined ? {} : { password: config.REDIS_PASSWORD }),
    ...(config.REDIS_TLS ? { tls: {} } : {}),
  };
  if (config.REDIS_CLUSTER_NODES) {
    const nodes = config.REDIS_CLUSTER_NODES.map((node) => {
      const separator = node.lastIndexOf(':');
      return { host: node.slice(0, separator), port: Number(node.slice(separator + 1)) };
    });
    return logConnectionErrors(new Cluster(nodes, {
      redisOptions: nodeOptions,
      enableOfflineQueue: false,
      // ElastiCache's TLS certificates name the node hostnames, so ioredis must connect by hostname, not by a resolved IP.
      ...(config.REDIS_TLS ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
      // Concurrent commands (a batch's cache writes) share round trips.
      enableAutoPipelining: true,
      slotsRefreshTimeout: config.REDIS_TIMEOUT_MS,
      clusterRetryStrategy: (attempts) => Math.min(100 * attempts, 2000),
    }));
  }
  return logConnectionErrors(new Redis(config.REDIS_URL as string, { ...nodeOptions, enableAutoPipelining: true }));
}

/**
 * Resolves once `client` is ready, or throws after `timeoutMs`. Commands are not queued while the
 * client connects (offline queue off, so an outage fails fast), so a cold container awaits this
 * before its first command instead of failing it.
 */
export async function whenRedisReady(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') {
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`Redis is not ready after ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
