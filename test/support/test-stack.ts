import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { startLocalStack, type RunningLocalStack } from '../../localstack/stack';
import { startReceiver, type Receiver } from '../../scripts/demo/receiver';
import { freePort } from './free-port';
import { testMongoUri, testRedisNodes, testSqsEndpoint } from './services';

export interface TestStack {
  stack: RunningLocalStack;
  receiver: Receiver;
  /** A client of the test MongoDB, for reading the functions' database directly. */
  mongo: MongoClient;
  /** The functions' database, fresh for this stack. */
  database: string;
  /** Stops the stack and the receiver, drops the database and closes the client. */
  stop(): Promise<void>;
}

/**
 * Starts `serverless offline`, the event source poller and a webhook receiver against the shared
 * test services, with a fresh stage (so fresh SQS queues), a fresh database and free ports.
 * Dispatch runs only when a test invokes it.
 */
export async function startTestStack(options: {
  stagePrefix: string;
  queuesFile?: string;
  functionEnv?: Record<string, string>;
  onFunctionLog?: (line: string) => void;
}): Promise<TestStack> {
  const database = `sluice_e2e_${randomUUID().slice(0, 8)}`;
  const receiver = await startReceiver();
  const mongo = new MongoClient(testMongoUri());
  const stack = await startLocalStack({
    stage: `${options.stagePrefix}${randomUUID().slice(0, 6)}`,
    mongodbUri: testMongoUri(),
    redisNodes: testRedisNodes().split(','),
    sqsEndpoint: testSqsEndpoint(),
    httpPort: await freePort(),
    lambdaPort: await freePort(),
    dispatchIntervalMs: 0,
    ...(options.queuesFile ? { queuesFile: options.queuesFile } : {}),
    functionEnv: { ...options.functionEnv, MONGODB_DATABASE: database },
    ...(options.onFunctionLog ? { onFunctionLog: options.onFunctionLog } : {}),
  });
  return {
    stack,
    receiver,
    mongo,
    database,
    stop: async () => {
      await stack.stop();
      await receiver.stop();
      await mongo.db(database).dropDatabase();
      await mongo.close();
    },
  };
}
