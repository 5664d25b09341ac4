import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { SluiceConfig } from '../config/env';
import { describeError, logger } from '../observability/logger';

export type RedisClient = Redis | Cluster;

/** Connection errors repeat while Redis is down; log the first and then one per interval. */
const ERROR_LOG_INTERVAL_MS = 10_000;
/** Reconnect delays grow by this step per attempt up to the cap, so a restarted node is found within 2 s. */
const RECONNECT_STEP_MS = 100;
const RECONNECT_MAX_DELAY_MS = 2_000;

function reconnectDelay(attempt: number): number {
  return Math.min(RECONNECT_STEP_MS * attempt, RECONNECT_MAX_DELAY_MS);
}

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

/** Options of each node connection; docs/connections.md gives each value and reason. */
export function redisNodeOptions(config: SluiceConfig): RedisOptions {
  return {
    // CLIENT LIST on a node shows which service and stage hold each connection.
    connectionName: `${config.SLUICE_SERVICE}-${config.SLUICE_STAGE}`,
    connectTimeout: config.REDIS_TIMEOUT_MS,
    commandTimeout: config.REDIS_TIMEOUT_MS,
    // A socket that sends no reply this long after a command is destroyed and replaced: after a
    // thaw, a connection that died silently costs one failed command instead of every later one.
    socketTimeout: config.REDIS_TIMEOUT_MS,
    // A command sent on a connection that drops is retried once on the next connection, then fails.
    maxRetriesPerRequest: 1,
    retryStrategy: reconnectDelay,
    ...(config.REDIS_USERNAME === undefined ? {} : { username: config.REDIS_USERNAME }),
    ...(config.REDIS_PASSWORD === undefined ? {} : { password: config.REDIS_PASSWORD }),
    ...(config.REDIS_TLS ? { tls: {} } : {}),
  };
}

/** Options of the Cluster client on top of {@link redisNodeOptions}. */
export function redisClusterOptions(config: SluiceConfig): ClusterOptions {
  const { retryStrategy: _nodeRetry, ...redisOptions } = redisNodeOptions(config);
  return {
    redisOptions,
    // While the cluster is down or its slot map is unknown, commands fail at once instead of waiting.
    enableOfflineQueue: false,
    // Concurrent commands (a batch's cache writes) share round trips.
    enableAutoPipelining: true,
    slotsRefreshTimeout: config.REDIS_TIMEOUT_MS,
    // ElastiCache's TLS certificates name the node hostnames, so ioredis must connect by hostname, not by a resolved IP.
    ...(config.REDIS_TLS ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
    clusterRetryStrategy: reconnectDelay,
    // A node whose connection drops (CLIENT KILL, an idle cut) reconnects by itself instead of
    // waiting for a MOVED reply to refresh the slot map.
    clusterNodeRetryStrategy: reconnectDelay,
    ...(config.REDIS_NAT_MAP ? { natMap: config.REDIS_NAT_MAP } : {}),
  };
}

/**
 * Creates the container's Redis client: a Cluster client when REDIS_CLUSTER_NODES is set, otherwise
 * a single-node client for REDIS_URL. Commands time out after REDIS_TIMEOUT_MS and are not queued
 * while disconnected, because Redis is only a cache and limiter here: callers fall back instead of
 * waiting. It connects at once, in the background.
 */
export function createRedisClient(config: SluiceConfig): RedisClient {
  if (config.REDIS_CLUSTER_NODES) {
    const nodes = config.REDIS_CLUSTER_NODES.map((node) => {
      const separator = node.lastIndexOf(':');
      return { host: node.slice(0, separator), port: Number(node.slice(separator + 1)) };
    });
    return logConnectionErrors(new Cluster(nodes, redisClusterOptions(config)));
  }
  return logConnectionErrors(
    new Redis(config.REDIS_URL as string, { ...redisNodeOptions(config), enableOfflineQueue: false, enableAutoPipelining: true }),
  );
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
