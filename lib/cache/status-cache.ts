import type { Logger } from '@aws-lambda-powertools/logger';
import { whenRedisReady, type RedisClient } from '../clients/redis';
import { describeError } from '../observability/logger';
import { toPublicJob, type JobDocument, type PublicJob } from '../jobs/job';
import { CACHE_JOB_IF_NEWER_LUA } from './cache-job-script';

interface CacheCommands {
  cacheJobIfNewer(key: string, version: number, json: string, ttlSeconds: number): Promise<number>;
}

const KEY_PREFIX = 'sluice:job:';

/**
 * Job-status cache in Redis. It contains the public view of each job written since it was created,
 * so `GET /jobs/{id}` rarely reaches MongoDB. MongoDB stays the source of truth: a miss or a Redis
 * error falls back to it, and losing the cache loses nothing.
 */
export class StatusCache {
  private readonly redis: RedisClient & CacheCommands;

  constructor(
    redis: RedisClient,
    private readonly ttlSeconds: number,
    private readonly readyTimeoutMs = 1_000,
  ) {
    // defineCommand sends EVALSHA and reloads the script when a failover or SCRIPT FLUSH dropped it.
    redis.defineCommand('cacheJobIfNewer', { numberOfKeys: 1, lua: CACHE_JOB_IF_NEWER_LUA });
    this.redis = redis as RedisClient & CacheCommands;
  }

  static keyFor(jobId: string): string {
    return `${KEY_PREFIX}${jobId}`;
  }

  /** Stores `job` unless a newer version is cached. Returns true when stored. Throws on Redis errors. */
  async put(job: JobDocument): Promise<boolean> {
    await whenRedisReady(this.redis, this.readyTimeoutMs);
    const stored = await this.redis.cacheJobIfNewer(StatusCache.keyFor(job._id), job.version, JSON.stringify(toPublicJob(job)), this.ttlSeconds);
    return stored === 1;
  }

  /**
   * Stores each job like {@link put}, but logs a Redis failure (one line per call) instead of
   * throwing, because MongoDB has the state and a cache miss falls back to it.
   */
  async putQuietly(jobs: JobDocument[], logger: Logger): Promise<void> {
    const results = await Promise.allSettled(jobs.map((job) => this.put(job)));
    const failures = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failures.length > 0) {
      logger.warn('status cache write failed', {
        jobIds: jobs.map((job) => job._id).slice(0, 10),
        failures: failures.length,
        error: describeError((failures[0] as PromiseRejectedResult).reason),
      });
    }
  }

  /** Returns the cached job, or null on a miss. Throws on Redis errors. */
  async get(jobId: string): Promise<PublicJob | null> {
    await whenRedisReady(this.redis, this.readyTimeoutMs);
    const json = await this.redis.hget(StatusCache.keyFor(jobId), 'json');
    return json === null ? null : (JSON.parse(json) as PublicJob);
  }
}
