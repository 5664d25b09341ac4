import { ConfigError } from '../../lib/errors';
import { channelFor, parseQueueDefinitions } from '../../lib/queues/definitions';

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

  it.each([
    [{ queues: { Emails: {} } }, 'queues.Emails'],
    [{ queues: { emails: { maxConcurrency: 1 } } }, 'queues.emails.maxConcurrency'],
    [{ queues: { emails: { timeoutSeconds: 901 } } }, 'queues.emails.timeoutSeconds'],
    [{ queues: { emails: { batchSize: 50 } } }, 'maximumBatchingWindowSeconds'],
    [{ queues: { emails: { retries: 3 } } }, 'retries'],
    [{ queues: {} }, 'defines no queue'],
  ])('rejects %j naming %s', (raw, expected) => {
    expect(() => parseQueueDefinitions(raw, naming)).toThrow(ConfigError);
    expect(() => parseQueueDefinitions(raw, naming)).toThrow(expected);
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
