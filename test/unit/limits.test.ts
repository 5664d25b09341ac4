import { UnprocessableRequestError } from '../../lib/errors';
import { parseQueueDefinitions } from '../../lib/queues/definitions';
import { resolveLimits } from '../../lib/ratelimit/limits';

const [queue] = parseQueueDefinitions(
  {
    queues: {
      hooks: {
        rateLimits: [
          { name: 'per-host', ratePerSecond: 20, keyBy: { field: 'payload.url', part: 'host' } },
          { name: 'emails', ratePerSecond: 0.5, jobType: 'email' },
        ],
        concurrencyLimits: [{ name: 'tenant', limit: 1, keyBy: { field: 'payload.tenant' } }],
      },
    },
  },
  { service: 'sluice', stage: 'test' },
);
const hooks = queue as NonNullable<typeof queue>;

describe('resolveLimits', () => {
  it('keys buckets by the URL host and tenant', () => {
    const limits = resolveLimits(hooks, { type: 'http', payload: { url: 'https://Hooks.Example.test:8443/a?b=1', tenant: 't-1' } });
    expect(limits.rate.map((limit) => limit.bucketKey)).toEqual(['sluice:rate:{sluice-test-hooks/per-host/hooks.example.test%3A8443}']);
    expect(limits.rate[0]?.reservationKey).toBe('sluice:rate:{sluice-test-hooks/per-host/hooks.example.test%3A8443}:slots');
    expect(limits.concurrency.map((limit) => limit.semaphoreKey)).toEqual(['sluice:sem:{sluice-test-hooks/tenant/t-1}']);
  });

  it('applies a type-scoped limit only to that type', () => {
    const limits = resolveLimits(hooks, { type: 'email', payload: { url: 'http://a.test/', tenant: 1 } });
    expect(limits.rate.map((limit) => limit.definition.name)).toEqual(['per-host', 'emails']);
  });

  it('gives different key values different hash tags', () => {
    const first = resolveLimits(hooks, { type: 'http', payload: { url: 'http://a.test/', tenant: 'x}y' } });
    const second = resolveLimits(hooks, { type: 'http', payload: { url: 'http://b.test/', tenant: 'x' } });
    expect(first.rate[0]?.bucketKey).not.toBe(second.rate[0]?.bucketKey);
    expect(first.concurrency[0]?.semaphoreKey).toBe('sluice:sem:{sluice-test-hooks/tenant/x%7Dy}');
  });

  it('rejects a job without its key field', () => {
    expect(() => resolveLimits(hooks, { type: 'http', payload: { url: 'http://a.test/' } })).toThrow(UnprocessableRequestError);
    expect(() => resolveLimits(hooks, { type: 'http', payload: { url: 'http://a.test/' } })).toThrow('payload.tenant is required by limit "tenant"');
  });
});

describe('limit definitions', () => {
  it('defaults the burst to one second of the rate', () => {
    expect(hooks.rateLimits.map((limit) => limit.burst)).toEqual([20, 1]);
  });

  it('rejects a repeated limit name', () => {
    expect(() =>
      parseQueueDefinitions(
        { queues: { q: { rateLimits: [{ name: 'a', ratePerSecond: 1 }], concurrencyLimits: [{ name: 'a', limit: 1 }] } } },
        { service: 's', stage: 't' },
      ),
    ).toThrow('limit name "a" is used twice');
  });

  it('rejects a key field outside the job', () => {
    expect(() =>
      parseQueueDefinitions({ queues: { q: { rateLimits: [{ name: 'a', ratePerSecond: 1, keyBy: { field: 'queue' } }] } } }, { service: 's', stage: 't' }),
    ).toThrow('must be "type" or a payload field path');
  });
});
