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
    [{ type: 'http', payload: {}, delaySeconds: '10' }, 'delaySeconds must be a JSON number of seconds from 0 to 2592000 (30 days) (received "10")'],
    [[1], '(body) must be a JSON object with "type" and "payload"'],
  ])('rejects %j naming %s', (body, expected) => {
    expect(() => parseJobRequest(body)).toThrow(InvalidRequestError);
    expect(() => parseJobRequest(body)).toThrow(expected);
  });

  it('prefixes field paths inside a batch', () => {
    try {
      parseJobRequest({ type: 'http', payload: {}, delaySeconds: -5 }, ['jobs', '3']);
      throw new Error('expected a rejection');
    } catch (error) {
      expect((error as InvalidRequestError).problems).toEqual([
        { field: 'jobs.3.delaySeconds', message: 'must not be negative; use 0 to 2592000 seconds (received -5)' },
      ]);
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
    expect(() => resolveRunAt({ type: 'http', payload: {}, runAt: '2030-03-01T00:00:00Z' }, now)).toThrow('runAt 2030-03-01T00:00:00Z is more than 30 days ahead');
  });
});

describe('buildJob in a batch', () => {
  it('locates registry problems by entry index', () => {
    expect.assertions(2);
    const { buildJob } = jest.requireActual<typeof import('../../lib/enqueue/build-job')>('../../lib/enqueue/build-job');
    const { createJobTypeRegistry } = jest.requireActual<typeof import('../../lib/jobs/types')>('../../lib/jobs/types');
    expect(() => buildJob('default', { type: 'fax', payload: {} }, createJobTypeRegistry(), now, ['jobs', '4'])).toThrow('jobs.4: job type "fax" is not registered');
    try {
      buildJob('default', { type: 'http', payload: {} }, createJobTypeRegistry(), now, ['jobs', '2']);
    } catch (error) {
      expect((error as InvalidRequestError).problems).toEqual([{ field: 'jobs.2.payload.url', message: 'is required: the webhook URL' }]);
    }
  });
});

describe('job request payload keys', () => {
  it.each([
    [{ $where: 'sleep(1)' }, 'payload.$where', 'must not start with "$"'],
    [{ nested: { 'a.b': 1 } }, 'payload.nested.a.b', 'must not contain "."'],
    [{ items: [{}, { $set: { x: 1 } }] }, 'payload.items.1.$set', 'must not start with "$"'],
    [{ 'a\u0000b': 1 }, 'payload.a\u0000b', 'contains a NUL character'],
  ])('rejects %j naming the key path', (payload, field, message) => {
    try {
      parseJobRequest({ type: 'http', payload });
      throw new Error('parseJobRequest accepted the payload');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).problems).toEqual([{ field, message: expect.stringContaining(message) }]);
    }
  });

  it('accepts $ and . inside values', () => {
    expect(parseJobRequest({ type: 'http', payload: { price: '$5.00', note: { text: '$gt' } } }).payload).toEqual({ price: '$5.00', note: { text: '$gt' } });
  });

  it('prefixes the key path inside a batch', () => {
    expect(() => parseJobRequest({ type: 'http', payload: { $inc: 1 } }, ['jobs', '2'])).toThrow('jobs.2.payload.$inc must not start with "$"');
  });
});
