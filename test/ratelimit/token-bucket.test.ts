import { randomUUID } from 'node:crypto';
import { whenRedisReady } from '../../lib/clients/redis';
import { reserveSlots, takeToken } from '../../lib/ratelimit/token-bucket';
import { redisTimeMicros, testLimiterRedis, uniqueKey } from '../support/redis';

jest.setTimeout(60_000);

const redis = testLimiterRedis();

beforeAll(async () => {
  await whenRedisReady(redis, 10_000);
});

afterAll(() => {
  redis.disconnect();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('token bucket', () => {
  it('admits at most capacity plus rate times elapsed under 50 callers', async () => {
    const key = uniqueKey('bucket');
    const settings = { capacity: 20, ratePerSecond: 200 };
    const durationMs = 10_000;
    let admitted = 0;
    const startedAt = await redisTimeMicros(redis, key);
    const stopAt = Date.now() + durationMs;

    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (Date.now() < stopAt) {
          const decision = await takeToken(redis, key, settings);
          if (decision.allowed) {
            admitted += 1;
          } else {
            await sleep(Math.min(decision.waitMs, Math.max(0, stopAt - Date.now())));
          }
        }
      }),
    );
    const elapsedSeconds = ((await redisTimeMicros(redis, key)) - startedAt) / 1_000_000;
    const bound = settings.capacity + settings.ratePerSecond * elapsedSeconds;

    expect(admitted).toBeLessThanOrEqual(bound);
    expect(admitted).toBeGreaterThanOrEqual(0.95 * bound);
  });

  it('works for buckets in slots on every master', async () => {
    const keys = Array.from({ length: 30 }, () => `sluice:rate:{${randomUUID()}}`);
    const distinctSlots = new Set(await Promise.all(keys.map(async (key) => (await redis.cluster('KEYSLOT', key)) as number))).size;
    expect(distinctSlots).toBeGreaterThan(10);
    const decisions = await Promise.all(keys.map((key) => takeToken(redis, key, { capacity: 1, ratePerSecond: 1 })));
    expect(decisions.every((decision) => decision.allowed)).toBe(true);
    const masters = new Set<string>();
    for (const key of keys) {
      const slot = (await redis.cluster('KEYSLOT', key)) as number;
      const node = redis.slots[slot]?.[0];
      if (node) {
        masters.add(node);
      }
    }
    expect(masters.size).toBe(3);
  });

  it('keeps working after SCRIPT FLUSH on every master', async () => {
    const key = uniqueKey('flush');
    await takeToken(redis, key, { capacity: 5, ratePerSecond: 1 });
    await Promise.all(redis.nodes('master').map((node) => node.script('FLUSH')));
    const decision = await takeToken(redis, key, { capacity: 5, ratePerSecond: 1 });
    expect(decision.allowed).toBe(true);
    expect(decision.tokensLeft).toBeGreaterThanOrEqual(3);
    expect(decision.tokensLeft).toBeLessThan(4);
  });

  it('reports a sub-1/s wait to the millisecond', async () => {
    const key = uniqueKey('slow');
    const settings = { capacity: 1, ratePerSecond: 0.3 };
    const first = await takeToken(redis, key, settings);
    expect(first).toEqual({ allowed: true, tokensLeft: 0, waitMs: 0 });
    const startedAt = await redisTimeMicros(redis, key);
    const second = await takeToken(redis, key, settings);
    const elapsedMs = ((await redisTimeMicros(redis, key)) - startedAt) / 1000;

    expect(second.allowed).toBe(false);
    // 1 token at 0.3 tokens/s takes 3333.33 ms; the refill since the first call shortens it.
    expect(second.waitMs).toBeLessThanOrEqual(3334);
    expect(second.waitMs).toBeGreaterThanOrEqual(Math.floor(3333.34 - elapsedMs - 5));
    expect(second.tokensLeft).toBeGreaterThan(0);
    expect(second.tokensLeft).toBeLessThan(0.01);
  });

  it('keeps fractional tokens across calls', async () => {
    const key = uniqueKey('fraction');
    const settings = { capacity: 2, ratePerSecond: 0.5 };
    await takeToken(redis, key, settings);
    const decision = await takeToken(redis, key, settings, 0.25);
    expect(decision.allowed).toBe(true);
    expect(decision.tokensLeft).toBeGreaterThan(0.74);
    expect(decision.tokensLeft).toBeLessThan(0.76);
  });
});

describe('slot reservations', () => {
  it('gives the burst at once, then one slot per interval', async () => {
    const key = uniqueKey('slots');
    const delays = await reserveSlots(redis, key, { capacity: 3, ratePerSecond: 10 }, 6);
    expect(delays.slice(0, 3)).toEqual([0, 0, 0]);
    expect(delays[3]).toBeGreaterThanOrEqual(95);
    expect(delays[3]).toBeLessThanOrEqual(100);
    expect((delays[5] as number) - (delays[4] as number)).toBe(100);
  });

  it('continues where the previous reservation ended', async () => {
    const key = uniqueKey('slots-next');
    const settings = { capacity: 1, ratePerSecond: 2 };
    await reserveSlots(redis, key, settings, 4);
    const [next] = await reserveSlots(redis, key, settings, 1);
    expect(next).toBeGreaterThanOrEqual(1_950);
    expect(next).toBeLessThanOrEqual(2_000);
  });
});

describe('token bucket with a max wait', () => {
  it('takes a future token and returns the wait before it exists', async () => {
    const key = uniqueKey('debt');
    const settings = { capacity: 1, ratePerSecond: 10 };
    expect((await takeToken(redis, key, settings)).allowed).toBe(true);

    const queued = await takeToken(redis, key, settings, 1, 500);
    expect(queued.allowed).toBe(true);
    expect(queued.waitMs).toBeGreaterThan(90);
    expect(queued.waitMs).toBeLessThanOrEqual(100);

    const next = await takeToken(redis, key, settings, 1, 500);
    expect(next.allowed).toBe(true);
    expect(next.waitMs).toBeGreaterThan(190);
    expect(next.tokensLeft).toBeLessThan(-1.9);
  });

  it('denies a token beyond the max wait and takes nothing', async () => {
    const key = uniqueKey('debt-denied');
    const settings = { capacity: 1, ratePerSecond: 10 };
    await takeToken(redis, key, settings);
    const denied = await takeToken(redis, key, settings, 1, 50);
    expect(denied.allowed).toBe(false);
    expect(denied.waitMs).toBeGreaterThan(50);
    const after = await takeToken(redis, key, settings, 1, 500);
    expect(after.waitMs).toBeLessThanOrEqual(100);
  });
});
