import type { Cluster } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { createRedisClient } from '../../lib/clients/redis';
import { readConfig } from '../../lib/config/env';
import { withLimiterCommands, type LimiterRedis } from '../../lib/ratelimit/commands';
import { testRedisNodes } from './services';

/** Creates a Cluster client on the shared test Redis Cluster, with the limiter's commands. */
export function testLimiterRedis(): LimiterRedis & Cluster {
  const client = createRedisClient(readConfig({ MONGODB_URI: 'mongodb://127.0.0.1:1', REDIS_CLUSTER_NODES: testRedisNodes() }));
  return withLimiterCommands(client) as LimiterRedis & Cluster;
}

/** Returns a key unique to one test, so tests never share a bucket. */
export function uniqueKey(name: string): string {
  return `test:${name}:{${randomUUID()}}`;
}

/** Redis server time in microseconds, read from the node that owns `key`. */
export async function redisTimeMicros(redis: Cluster, key: string): Promise<number> {
  const [seconds, micros] = (await redis.eval("return redis.call('TIME')", 1, key)) as [string, string];
  return Number(seconds) * 1_000_000 + Number(micros);
}
