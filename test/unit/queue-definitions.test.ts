import { ConfigError } from '../../lib/errors';
import queuesFile from '../../queues.json';
import { channelFor, checkQueueDefinitions, parseQueueDefinitions } from '../../lib/queues/definitions';

const naming = { service: 'sluice', stage: 'test' };

describe('parseQueueDefinitions', () => {
  it('derives names, visibility timeout and reserved concurrency', () => {
    const [queue] = parseQueueDefinitions({ queues: { emails: { timeoutSeconds: 20, maxConcurrency: 4 } } }, naming);
    expect(queue).toMatchObject({
      name: 'emails',
      sqsName: 'sluice-test-emails',
      deadLetterSqsName: 'sluice-test-emails-dlq',
      visibilityTimeoutSeconds: 120,
      reservedConcurrency: 4,
      maxConcurrency: 4,
      functionName: 'process-emails',
    });
  });

  it('adds the batching window to the default visibility timeout', () => {
    const [queue] = parseQueueDefinitions({ queues: { emails: { timeoutSeconds: 20, maximumBatchingWindowSeconds: 5 } } }, naming);
    expect(queue?.visibilityTimeoutSeconds).toBe(125);
  });

  it('keeps a reserved concurrency above the maximum concurrency', () => {
    const [queue] = parseQueueDefinitions({ queues: { emails: { maxConcurrency: 4, reservedConcurrency: 6 } } }, naming);
    expect(queue?.channels[0]).toMatchObject({ maxConcurrency: 4, reservedConcurrency: 6 });
  });

  it.each([
    [{ queues: { Emails: {} } }, 'queue name "Emails" is invalid; queue names are 1-40 lowercase'],
    [{ queues: { emails: { timeoutSeconds: 901 } } }, 'queue "emails": timeoutSeconds'],
    [{ queues: { emails: { batchSize: 50 } } }, 'maximumBatchingWindowSeconds'],
    [{ queues: {} }, 'no queue is defined'],
  ])('rejects %j naming %s', (raw, expected) => {
    expect(() => parseQueueDefinitions(raw, naming)).toThrow(ConfigError);
    expect(() => parseQueueDefinitions(raw, naming)).toThrow(expected);
  });
});

describe('checkQueueDefinitions', () => {
  it('passes the shipped queues.json', () => {
    expect(checkQueueDefinitions(queuesFile)).toEqual([]);
  });

  it.each([
    ['an unknown key', { retries: 3 }, 'queue "emails": unknown setting "retries"'],
    ['a visibility timeout below 6 x timeout + window', { timeoutSeconds: 30, maximumBatchingWindowSeconds: 10, visibilityTimeoutSeconds: 189 }, 'queue "emails": visibilityTimeoutSeconds 189 is below 6 x timeoutSeconds (30) + maximumBatchingWindowSeconds (10); set it to at least 190'],
    ['a maximum concurrency below 2', { maxConcurrency: 1 }, 'queue "emails": maxConcurrency 1 is outside'],
    ['a maximum concurrency above reserved', { maxConcurrency: 8, reservedConcurrency: 5 }, 'queue "emails": maxConcurrency 8 is above the reserved concurrency 5'],
    ['a lane maximum concurrency below 2', { priorityLanes: [{ name: 'high', minPriority: 5, maxConcurrency: 1 }] }, 'queue "emails": priorityLanes.high.maxConcurrency 1 is outside'],
    ['a maxReceiveCount below 5', { maxReceiveCount: 4 }, 'queue "emails": maxReceiveCount 4 is outside 5 to 1000'],
    ['a delay above 900 s', { delaySeconds: 901 }, 'queue "emails": delaySeconds 901 is over the SQS maximum of 900 s'],
  ])('rejects %s naming the queue and setting', (_case, settings, expected) => {
    const problems = checkQueueDefinitions({ queues: { emails: settings } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('accepts the boundary values', () => {
    const settings = { timeoutSeconds: 30, maximumBatchingWindowSeconds: 10, visibilityTimeoutSeconds: 190, maxConcurrency: 2, maxReceiveCount: 5, delaySeconds: 900 };
    expect(checkQueueDefinitions({ queues: { emails: settings } })).toEqual([]);
  });

  it('lists a problem for each broken rule', () => {
    expect(checkQueueDefinitions({ queues: { a: { maxReceiveCount: 1 }, b: { delaySeconds: 1000 } } })).toEqual([
      expect.stringContaining('queue "a": maxReceiveCount'),
      expect.stringContaining('queue "b": delaySeconds'),
    ]);
  });
});

describe('priority lanes', () => {
  const [queue] = parseQueueDefinitions(
    {
      queues: {
        mail: {
          maxConcurrency: 4,
          priorityLanes: [
            { name: 'urgent', minPriority: 8, maxConcurrency: 6 },
            { name: 'high', minPriority: 5, maxConcurrency: 5 },
          ],
        },
      },
    },
    naming,
  );
  const mail = queue as NonNullable<typeof queue>;

  it('derives a queue and function per lane', () => {
    expect(mail.channels.map((channel) => [channel.lane, channel.sqsName, channel.functionName, channel.reservedConcurrency])).toEqual([
      [null, 'sluice-test-mail', 'process-mail', 4],
      ['high', 'sluice-test-mail-high', 'process-mail-high', 5],
      ['urgent', 'sluice-test-mail-urgent', 'process-mail-urgent', 6],
    ]);
  });

  it.each([
    [0, null],
    [4, null],
    [5, 'high'],
    [7, 'high'],
    [8, 'urgent'],
    [9, 'urgent'],
  ])('sends priority %i to lane %s', (priority, lane) => {
    expect(channelFor(mail, priority).lane).toBe(lane);
  });

  it('rejects lanes sharing a minimum priority', () => {
    const raw = { queues: { q: { priorityLanes: [{ name: 'a', minPriority: 5, maxConcurrency: 2 }, { name: 'b', minPriority: 5, maxConcurrency: 2 }] } } };
    expect(() => parseQueueDefinitions(raw, naming)).toThrow('distinct minPriority');
  });
});
