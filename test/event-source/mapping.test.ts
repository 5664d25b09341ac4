import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { ConfigError } from '../../lib/errors';
import { startEventSourcePoller } from '../../localstack/event-source-poller';
import { validateEventSourceMappings, type EventSourceMapping } from '../../localstack/event-source/mapping';

const valid: EventSourceMapping = {
  queueUrl: 'http://sqs.us-east-1.localhost:4566/000000000000/jobs',
  queueArn: 'arn:aws:sqs:us-east-1:000000000000:jobs',
  functionName: 'process-default',
  batchSize: 10,
  maximumBatchingWindowSeconds: 0,
  maxConcurrency: 5,
};

const fifo: EventSourceMapping = {
  ...valid,
  queueUrl: 'http://sqs.us-east-1.localhost:4566/000000000000/jobs.fifo',
  queueArn: 'arn:aws:sqs:us-east-1:000000000000:jobs.fifo',
};

function problemOf(mapping: EventSourceMapping): string {
  try {
    validateEventSourceMappings([mapping]);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('validateEventSourceMappings accepted an invalid mapping');
}

describe('validateEventSourceMappings', () => {
  it('accepts valid standard and FIFO mappings', () => {
    expect(() => validateEventSourceMappings([valid, { ...valid, batchSize: 10_000, maximumBatchingWindowSeconds: 300 }, fifo])).not.toThrow();
  });

  it.each([
    ['a batch size of 0', { ...valid, batchSize: 0 }, 'mappings.0 (process-default).batchSize'],
    ['a batch size over 10,000', { ...valid, batchSize: 10_001, maximumBatchingWindowSeconds: 1 }, 'batchSize'],
    ['a batch over 10 without a window', { ...valid, batchSize: 11 }, 'maximumBatchingWindowSeconds: batchSize 11 is over 10'],
    ['a window over 300 s', { ...valid, maximumBatchingWindowSeconds: 301 }, 'maximumBatchingWindowSeconds'],
    ['a concurrency of 0', { ...valid, maxConcurrency: 0 }, 'maxConcurrency'],
    ['a fractional concurrency', { ...valid, maxConcurrency: 2.5 }, 'maxConcurrency'],
    ['a queue URL that is not a URL', { ...valid, queueUrl: 'jobs' }, 'queueUrl: must be an http(s) queue URL'],
    ['an ARN of another service', { ...valid, queueArn: 'arn:aws:sns:us-east-1:000000000000:jobs' }, 'queueArn: must be an SQS queue ARN'],
    ['an empty function name', { ...valid, functionName: '' }, 'functionName: must name the function'],
    ['a FIFO batch over 10', { ...fifo, batchSize: 11, maximumBatchingWindowSeconds: 1 }, 'the maximum for a FIFO queue'],
    ['a FIFO batching window', { ...fifo, maximumBatchingWindowSeconds: 1 }, 'must be 0 for a FIFO queue'],
  ])('rejects %s', (_case, mapping, expected) => {
    expect(problemOf(mapping)).toContain(expected);
  });

  it('rejects unknown fields', () => {
    expect(problemOf({ ...valid, batchWindow: 5 } as EventSourceMapping)).toContain('batchWindow');
  });

  it('rejects an empty mapping list', () => {
    expect(() => validateEventSourceMappings([])).toThrow(ConfigError);
  });
});

describe('startEventSourcePoller options', () => {
  // Validation happens before any request, so these clients never send one.
  const sqs = new SQSClient({ region: 'us-east-1' });
  const lambda = new LambdaClient({ region: 'us-east-1' });

  afterAll(() => {
    sqs.destroy();
    lambda.destroy();
  });

  it.each([
    ['a receive wait over 20 s', { receiveWaitSeconds: 21 }, 'receiveWaitSeconds 21 is invalid'],
    ['a fractional receive wait', { receiveWaitSeconds: 0.5 }, 'receiveWaitSeconds 0.5 is invalid'],
    ['a negative stop timeout', { stopTimeoutMs: -1 }, 'stopTimeoutMs -1 is invalid'],
  ])('rejects %s', (_case, options, expected) => {
    expect(() => startEventSourcePoller({ sqs, lambda, mappings: [valid], ...options })).toThrow(expected);
  });

  it('rejects an invalid mapping before polling', () => {
    expect(() => startEventSourcePoller({ sqs, lambda, mappings: [{ ...valid, batchSize: 0 }] })).toThrow(ConfigError);
  });
});
