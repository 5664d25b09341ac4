import type { Services } from '../../lib/clients';
import { StatsCache } from '../../lib/cache/stats-cache';
import { createRedisClient } from '../../lib/clients/redis';
import { readConfig } from '../../lib/config/env';
import { buildJob } from '../../lib/enqueue/build-job';
import { NotFoundError } from '../../lib/errors';
import { insertJobs } from '../../lib/store/job-store';
import { getQueueStats, type QueueStats } from '../../lib/status/status';
import { testServices } from '../support/services';

let services: Services;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ services, close } = await testServices({ SLUICE_STATS_CACHE_TTL_SECONDS: '1' }));
});

afterAll(async () => {
  await close();
});

function newJob(queue = 'default') {
  return buildJob(queue, { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, services.jobTypes, new Date());
}

describe('getQueueStats', () => {
  it('serves cached figures until the TTL ends', async () => {
    await insertJobs(services.jobs, [newJob('webhooks')]);
    const first = await getQueueStats(services, 'webhooks');
    expect(first.counts.queued).toBe(1);

    await insertJobs(services.jobs, [newJob('webhooks')]);
    const cached = await getQueueStats(services, 'webhooks');
    expect(cached).toEqual(first);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const fresh = await getQueueStats(services, 'webhooks');
    expect(fresh.counts.queued).toBe(2);
    expect(fresh.computedAt > first.computedAt).toBe(true);
  });

  it('aggregates every time with a TTL of 0', async () => {
    const uncached = await testServices({ SLUICE_STATS_CACHE_TTL_SECONDS: '0' });
    try {
      await insertJobs(uncached.services.jobs, [newJob('webhooks')]);
      const first = await getQueueStats(uncached.services, 'webhooks');
      await insertJobs(uncached.services.jobs, [newJob('webhooks')]);
      const second = await getQueueStats(uncached.services, 'webhooks');
      expect(second.counts.queued).toBe(first.counts.queued + 1);
    } finally {
      await uncached.close();
    }
  });

  it('stores the figures under a key scoped by stage', async () => {
    await getQueueStats(services, 'default');
    const key = services.statsCache.keyFor('default');
    expect(key).toContain(services.config.SLUICE_STAGE);
    expect(Number(await services.redis.ttl(key))).toBeGreaterThan(0);
    expect(Number(await services.redis.ttl(key))).toBeLessThanOrEqual(1);
  });

  it('aggregates from MongoDB when Redis is unreachable', async () => {
    await insertJobs(services.jobs, [newJob()]);
    const deadRedis = createRedisClient(readConfig({ MONGODB_URI: 'mongodb://127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1', REDIS_TIMEOUT_MS: '200' }));
    const withoutRedis: Services = { ...services, statsCache: new StatsCache<QueueStats>(deadRedis, 'dead', 5, 200) };
    try {
      const stats = await getQueueStats(withoutRedis, 'default');
      expect(stats.counts.queued).toBeGreaterThanOrEqual(1);
      expect(stats.queue).toBe('default');
    } finally {
      deadRedis.disconnect();
    }
  });

  it('throws NotFoundError for an undefined queue', async () => {
    await expect(getQueueStats(services, 'no-such-queue')).rejects.toThrow(NotFoundError);
  });
});
