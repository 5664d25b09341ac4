import { ConfigError } from '../../lib/errors';
import { parseQueueDefinitions } from '../../lib/queues/definitions';

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
