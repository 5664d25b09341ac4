import { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  startEventSourcePoller,
  type EventSourceMapping,
  type EventSourcePoller,
  type EventSourcePollerOptions,
  type ProgressLevel,
} from '../../../localstack/event-source-poller';
import { FakeLambda } from './fake-lambda';
import { startFauxqs, type FauxqsProcess } from './fauxqs';
import { createQueue, createSqsClient, deleteQueue, freshQueueName, TEST_CREDENTIALS, TEST_REGION, type TestQueue } from './sqs-helpers';

export interface StartedPoller {
  poller: EventSourcePoller;
  /** Every progress line so far, with its level. */
  lines: Array<{ line: string; level: ProgressLevel }>;
}

/**
 * Starts fauxqs and a fake Lambda endpoint for the test file, and stops every poller and deletes
 * every queue a test created after that test.
 */
export class EventSourceHarness {
  readonly fakeLambda = new FakeLambda();
  private fauxqs: FauxqsProcess | undefined;
  private sqsClient: SQSClient | undefined;
  private lambdaClient: LambdaClient | undefined;
  private readonly pollers: EventSourcePoller[] = [];
  private readonly queueUrls: string[] = [];

  constructor() {
    beforeAll(async () => {
      this.fauxqs = await startFauxqs();
      await this.fakeLambda.start();
      this.sqsClient = createSqsClient(this.fauxqs.endpoint);
      // No retries: a failed invoke must reach the poller at once, as the tests assert on it.
      this.lambdaClient = new LambdaClient({
        endpoint: this.fakeLambda.endpoint,
        region: TEST_REGION,
        credentials: TEST_CREDENTIALS,
        maxAttempts: 1,
      });
    });
    afterEach(async () => {
      await Promise.all(this.pollers.splice(0).map((poller) => poller.stop()));
      await Promise.all(this.queueUrls.splice(0).map((queueUrl) => deleteQueue(this.sqs, queueUrl)));
    });
    afterAll(async () => {
      this.sqsClient?.destroy();
      this.lambdaClient?.destroy();
      await this.fakeLambda.close();
      await this.fauxqs?.stop();
    });
  }

  get sqs(): SQSClient {
    if (this.sqsClient === undefined) {
      throw new Error('the harness starts in beforeAll');
    }
    return this.sqsClient;
  }

  get lambda(): LambdaClient {
    if (this.lambdaClient === undefined) {
      throw new Error('the harness starts in beforeAll');
    }
    return this.lambdaClient;
  }

  get port(): number {
    if (this.fauxqs === undefined) {
      throw new Error('the harness starts in beforeAll');
    }
    return this.fauxqs.port;
  }

  /** Creates a queue with a fresh name; it is deleted after the test. */
  async createQueue(visibilityTimeoutSeconds: number): Promise<TestQueue> {
    const queue = await createQueue(this.sqs, freshQueueName('es'), visibilityTimeoutSeconds);
    this.queueUrls.push(queue.queueUrl);
    return queue;
  }

  /** Deletes `queueUrl` after the test, for queues a test created itself. */
  deleteAfterTest(queueUrl: string): void {
    this.queueUrls.push(queueUrl);
  }

  /** Starts a poller for one mapping; the poller is stopped after the test. */
  startPoller(mapping: EventSourceMapping, options: Partial<EventSourcePollerOptions> = {}): StartedPoller {
    const lines: StartedPoller['lines'] = [];
    const poller = startEventSourcePoller({
      sqs: this.sqs,
      lambda: this.lambda,
      mappings: [mapping],
      onProgress: (line, level) => lines.push({ line, level }),
      ...options,
    });
    this.pollers.push(poller);
    return { poller, lines };
  }
}

/** Returns a mapping for `queue` with small defaults that a test overrides. */
export function mappingFor(queue: TestQueue, functionName: string, overrides: Partial<EventSourceMapping> = {}): EventSourceMapping {
  return {
    queueUrl: queue.queueUrl,
    queueArn: queue.queueArn,
    functionName,
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    maxConcurrency: 2,
    ...overrides,
  };
}

export function freshFunctionName(): string {
  return freshQueueName('fn');
}
