import { Cluster, Redis } from 'ioredis';
import type { SluiceConfig } from '../config/env';

export type RedisClient = Redis | Cluster;

/**
 * Creates the container's Redis client: a Cluster client when REDIS_CLUSTER_NODES is set, otherwise
 * a single-node client for REDIS_URL. Commands time out after REDIS_TIMEOUT_MS and are not queued
 * while disconnected, because Redis is only a cache and limiter here: callers fall back instead of waiting.
 */
export function createRedisClient(config: SluiceConfig): RedisClient {
  const nodeOptions = {
    connectTimeout: config.REDIS_TIMEOUT_MS,
    commandTimeout: config.REDIS_TIMEOUT_MS,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  };
  if (config.REDIS_CLUSTER_NODES) {
    const nodes = config.REDIS_CLUSTER_NODES.map((node) => {
      const separator = node.lastIndexOf(':');
      return { host: node.slice(0, separator), port: Number(node.slice(separator + 1)) };
    });
    return new Cluster(nodes, {
      redisOptions: nodeOptions,
      enableOfflineQueue: false,
      // Concurrent commands (a batch's cache writes) share round trips.
      enableAutoPipelining: true,
      slotsRefreshTimeout: config.REDIS_TIMEOUT_MS,
      clusterRetryStrategy: (attempts) => Math.min(100 * attempts, 2000),
    });
  }
  return new Redis(config.REDIS_URL as string, { ...nodeOptions, enableAutoPipelining: true });
}
