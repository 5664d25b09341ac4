import { Logger } from '@aws-lambda-powertools/logger';
import { createRedisClient } from '../../lib/clients/redis';
import { readConfig } from '../../lib/config/env';
import { parseQueueDefinitions } from '../../lib/queues/definitions';
import { withLimiterCommands } from '../../lib/ratelimit/commands';
import { RedisFailureLog } from '../../lib/ratelimit/decision-log';
import { admitJob, REDIS_FAILURE_RETRY_MS } from '../../lib/ratelimit/gate';
import { resolveLimits } from '../../lib/ratelimit/limits';
import { testLimiterRedis } from '../support/redis';
import { randomUUID } from 'node:crypto';

function queueWith(onRedisError: 'fail-open' | 'fail-closed') {
  const [queue] = parseQueueDefinitions(
    {
      queues: {
        [`q${randomUUID().slice(0, 8)}`]: {
          onRedisError,
          rateLimits: [{ name: 'rate', ratePerSecond: 1, burst: 1 }],
          concurrencyLimits: [{ name: 'one', limit: 1 }],
        },
      },
    },
    { service: 'sluice', stage: 'test' },
  );
  return queue as NonNullable<typeof queue>;
}

const job = { type: 'http', payload: {} };
const deadRedis = withLimiterCommands(createRedisClient(readConfig({ MONGODB_URI: 'mongodb://127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:1', REDIS_TIMEOUT_MS: '100' })));
const liveRedis = testLimiterRedis();

afterAll(() => {
  deadRedis.disconnect();
  liveRedis.disconnect();
});

function options(queue: ReturnType<typeof queueWith>, log: RedisFailureLog, leaseToken = randomUUID()) {
  return { queue, leaseToken, leaseMs: 5_000, maxInlineWaitMs: 0, redisFailures: log, readyTimeoutMs: 2_000 };
}

describe('admitJob', () => {
  it('admits, then denies on the rate limit', async () => {
    const queue = queueWith('fail-closed');
    const log = new RedisFailureLog(new Logger());
    const first = await admitJob(liveRedis, resolveLimits(queue, job), options(queue, log));
    expect(first.admitted).toBe(true);
    if (first.admitted) {
      await first.release();
    }
    const second = await admitJob(liveRedis, resolveLimits(queue, job), options(queue, log));
    expect(second).toMatchObject({ admitted: false, reason: 'rate limit rate' });
  });

  it('fails closed by default when Redis is unreachable, logging once per interval', async () => {
    const queue = queueWith('fail-closed');
    const logger = new Logger();
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const log = new RedisFailureLog(logger);
    for (let index = 0; index < 3; index += 1) {
      const admission = await admitJob(deadRedis, resolveLimits(queue, job), { ...options(queue, log), readyTimeoutMs: 100 });
      expect(admission).toEqual({ admitted: false, waitMs: REDIS_FAILURE_RETRY_MS, reason: 'limiter unavailable' });
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[1]).toMatchObject({ queue: queue.name, decision: expect.stringContaining('fail-closed') });
  });

  it('fails open when the queue chooses it', async () => {
    const queue = queueWith('fail-open');
    const logger = new Logger();
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const admission = await admitJob(deadRedis, resolveLimits(queue, job), { ...options(queue, new RedisFailureLog(logger)), readyTimeoutMs: 100 });
    expect(admission.admitted).toBe(true);
    expect(warn.mock.calls[0]?.[1]).toMatchObject({ decision: expect.stringContaining('fail-open') });
  });

  it('denies a full concurrency limit until release', async () => {
    const queue = queueWith('fail-closed');
    const log = new RedisFailureLog(new Logger());
    const [second] = parseQueueDefinitions({ queues: { [queue.name]: { concurrencyLimits: [{ name: 'one', limit: 1 }] } } }, { service: 'sluice', stage: 'test' });
    const concurrencyOnly = second as NonNullable<typeof second>;
    const holder = await admitJob(liveRedis, resolveLimits(concurrencyOnly, job), options(concurrencyOnly, log));
    expect(holder.admitted).toBe(true);
    const blocked = await admitJob(liveRedis, resolveLimits(concurrencyOnly, job), options(concurrencyOnly, log));
    expect(blocked).toMatchObject({ admitted: false, reason: 'concurrency limit one' });
    if (holder.admitted) {
      await holder.release();
    }
    expect((await admitJob(liveRedis, resolveLimits(concurrencyOnly, job), options(concurrencyOnly, log))).admitted).toBe(true);
  });
});
