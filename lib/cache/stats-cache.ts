import type { Logger } from '@aws-lambda-powertools/logger';
import { whenRedisReady, type RedisClient } from '../clients/redis';
import { describeError } from '../observability/logger';

const KEY_PREFIX = 'sluice:stats:';

/**
 * Short-lived cache of queue statistics in Redis. The figures come from an aggregation over every
 * job of a queue, so callers that poll (dashboards, autoscalers) reuse one result for a few
 * seconds. Keys are scoped by service, stage and database, because queue names repeat across stages.
 */
export class StatsCache<Stats extends object> {
  constructor(
    private readonly redis: RedisClient,
    private readonly scope: string,
    private readonly ttlSeconds: number,
    private readonly readyTimeoutMs = 1_000,
  ) {}

  keyFor(queue: string): string {
    return `${KEY_PREFIX}${this.scope}:${queue}`;
  }

  /** Returns the cached figures of `queue`, or null on a miss or when the TTL is 0 (cache off). Throws on Redis errors. */
  async get(queue: string): Promise<Stats | null> {
    if (this.ttlSeconds === 0) {
      return null;
    }
    await whenRedisReady(this.redis, this.readyTimeoutMs);
    const json = await this.redis.get(this.keyFor(queue));
    return json === null ? null : (JSON.parse(json) as Stats);
  }

  /** Stores the figures of `queue` for the cache's TTL (nothing when it is 0); a Redis failure is logged, not thrown. */
  async putQuietly(queue: string, stats: Stats, logger: Logger): Promise<void> {
    if (this.ttlSeconds === 0) {
      return;
    }
    try {
      await whenRedisReady(this.redis, this.readyTimeoutMs);
      await this.redis.set(this.keyFor(queue), JSON.stringify(stats), 'EX', this.ttlSeconds);
    } catch (error) {
      logger.warn('stats cache write failed', { queue, error: describeError(error) });
    }
  }
}
