import { Cluster } from 'ioredis';
import type { Services } from '../../lib/clients';
import { createRedisClient } from '../../lib/clients/redis';
import { readConfig } from '../../lib/config/env';
import { StatusCache } from '../../lib/cache/status-cache';
import { buildJob } from '../../lib/enqueue/build-job';
import { NotFoundError } from '../../lib/errors';
import { insertJobs } from '../../lib/store/job-store';
import { getJobStatus } from '../../lib/status/status';
import { testServices } from '../support/services';

let services: Services;
let close: () => Promise<void>;

beforeAll(async () => {
  const created = await testServices();
  services = created.services;
  close = created.close;
});

afterAll(async () => {
  await close();
});

function newJob() {
  return buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, services.jobTypes, new Date());
}

describe('StatusCache', () => {
  it('keeps the newest version when writes arrive out of order', async () => {
    const job = newJob();
    expect(await services.statusCache.put({ ...job, version: 3, state: 'completed' })).toBe(true);
    expect(await services.statusCache.put({ ...job, version: 2, state: 'active' })).toBe(false);
    expect((await services.statusCache.get(job._id))?.state).toBe('completed');
  });

  it('keeps working after SCRIPT FLUSH on every master', async () => {
    const cluster = services.redis as Cluster;
    await services.statusCache.put(newJob());
    await Promise.all(cluster.nodes('master').map((node) => node.script('FLUSH')));
    const job = newJob();
    expect(await services.statusCache.put(job)).toBe(true);
    expect((await services.statusCache.get(job._id))?.id).toBe(job._id);
  });
});

describe('getJobStatus', () => {
  it('reads MongoDB on a cache miss and fills the cache', async () => {
    const job = newJob();
    await insertJobs(services.jobs, [job]);
    expect(await services.statusCache.get(job._id)).toBeNull();
    expect((await getJobStatus(services, job._id)).state).toBe('queued');
    for (let tries = 0; tries < 50 && !(await services.statusCache.get(job._id)); tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await services.statusCache.get(job._id))?.state).toBe('queued');
  });

  it('falls back to MongoDB when Redis is unreachable', async () => {
    const job = newJob();
    await insertJobs(services.jobs, [job]);
    const deadRedis = createRedisClient(readConfig({ MONGODB_URI: 'mongodb://127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1', REDIS_TIMEOUT_MS: '200' }));
    const withoutRedis: Services = { ...services, statusCache: new StatusCache(deadRedis, 60) };
    try {
      expect((await getJobStatus(withoutRedis, job._id)).id).toBe(job._id);
    } finally {
      deadRedis.disconnect();
    }
  });

  it('throws NotFoundError for an unknown id', async () => {
    await expect(getJobStatus(services, 'no-such-job')).rejects.toThrow(NotFoundError);
  });
});
