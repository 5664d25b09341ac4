import { InvalidRequestError } from '../../lib/errors';
import { MAX_DELAY_SECONDS, parseJobRequest, resolveRunAt } from '../../lib/jobs/request';

const now = new Date('2030-01-01T00:00:00Z');

describe('parseJobRequest', () => {
  it('accepts a minimal request', () => {
    expect(parseJobRequest({ type: 'http', payload: {} })).toEqual({ type: 'http', payload: {} });
  });

  it.each([
    [{ payload: {} }, 'type'],
    [{ type: 'http' }, 'payload'],
    [{ type: 'http', payload: {}, delaySeconds: -1 }, 'delaySeconds must not be negative'],
    [{ type: 'http', payload: {}, delaySeconds: MAX_DELAY_SECONDS + 1 }, 'delaySeconds must be at most'],
    [{ type: 'http', payload: {}, delaySeconds: 1.5 }, 'delaySeconds must be a whole number'],
    [{ type: 'http', payload: {}, runAt: 'tomorrow' }, 'runAt must be an ISO 8601 timestamp'],
    [{ type: 'http', payload: {}, runAt: '2030-01-01T00:00:00Z', delaySeconds: 5 }, 'runAt cannot be combined with delaySeconds'],
    [{ type: 'http', payload: {}, maxAttempts: 0 }, 'maxAttempts must be at least 1'],
    [{ type: 'http', payload: {}, colour: 'red' }, 'unknown fields colour'],
  ])('rejects %j naming %s', (body, expected) => {
    expect(() => parseJobRequest(body)).toThrow(InvalidRequestError);
    expect(() => parseJobRequest(body)).toThrow(expected);
  });

  it('prefixes field paths inside a batch', () => {
    try {
      parseJobRequest({ type: 'http', payload: {}, delaySeconds: -5 }, ['jobs', '3']);
      throw new Error('expected a rejection');
    } catch (error) {
      expect((error as InvalidRequestError).problems).toEqual([{ field: 'jobs.3.delaySeconds', message: 'must not be negative' }]);
    }
  });
});

describe('resolveRunAt', () => {
  it('adds delaySeconds to now', () => {
    expect(resolveRunAt({ type: 'http', payload: {}, delaySeconds: 90 }, now).toISOString()).toBe('2030-01-01T00:01:30.000Z');
  });

  it('uses runAt with its offset', () => {
    expect(resolveRunAt({ type: 'http', payload: {}, runAt: '2030-01-01T02:00:00+02:00' }, now).toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('rejects runAt more than 30 days ahead', () => {
    expect(() => resolveRunAt({ type: 'http', payload: {}, runAt: '2030-03-01T00:00:00Z' }, now)).toThrow('runAt is more than 30 days ahead');
  });
});
