import { whenRedisReady } from '../../lib/clients/redis';
import { acquireLease, releaseLease } from '../../lib/ratelimit/semaphore';
import { testLimiterRedis, uniqueKey } from '../support/redis';

const redis = testLimiterRedis();

beforeAll(async () => {
  await whenRedisReady(redis, 10_000);
});

afterAll(() => {
  redis.disconnect();
});

describe('semaphore', () => {
  it('admits up to the limit and reports the wait', async () => {
    const key = uniqueKey('sem');
    expect(await acquireLease(redis, key, 2, 'a', 5_000)).toEqual({ acquired: true, waitMs: 0 });
    expect((await acquireLease(redis, key, 2, 'b', 5_000)).acquired).toBe(true);
    const denied = await acquireLease(redis, key, 2, 'c', 5_000);
    expect(denied.acquired).toBe(false);
    expect(denied.waitMs).toBeGreaterThan(4_900);
    expect(denied.waitMs).toBeLessThanOrEqual(5_000);
  });

  it('frees a slot on release', async () => {
    const key = uniqueKey('sem-release');
    await acquireLease(redis, key, 1, 'a', 60_000);
    expect((await acquireLease(redis, key, 1, 'b', 60_000)).acquired).toBe(false);
    expect(await releaseLease(redis, key, 'a')).toBe(true);
    expect((await acquireLease(redis, key, 1, 'b', 60_000)).acquired).toBe(true);
  });

  it('expires the lease of a dead holder', async () => {
    const key = uniqueKey('sem-dead');
    await acquireLease(redis, key, 1, 'dead-worker', 300);
    expect((await acquireLease(redis, key, 1, 'next', 300)).acquired).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await acquireLease(redis, key, 1, 'next', 300)).acquired).toBe(true);
    expect(await releaseLease(redis, key, 'dead-worker')).toBe(false);
  });
});
