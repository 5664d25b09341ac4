import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { MongoClient, type Collection, type Db } from 'mongodb';
import { createServices, type Services } from '../../lib/clients';
import type { JobTypeRegistry } from '../../lib/jobs/registry';
import { createQueues } from '../../localstack/create-queues';
import { readConfig } from '../../lib/config/env';
import type { JobDocument } from '../../lib/jobs/job';
import { jobsCollection, prepareDatabase } from '../../lib/store/collections';

// The local SQS emulator accepts any credentials; the SDK still needs some to sign requests.
process.env.AWS_ACCESS_KEY_ID ??= 'test';
process.env.AWS_SECRET_ACCESS_KEY ??= 'test';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set; run the tests through jest so test/support/global-setup.ts starts the services`);
  }
  return value;
}

export const testMongoUri = (): string => required('SLUICE_TEST_MONGODB_URI');
export const testRedisNodes = (): string => required('SLUICE_TEST_REDIS_NODES');
export const testSqsEndpoint = (): string => required('SLUICE_TEST_SQS_ENDPOINT');

export interface TestDatabase {
  client: MongoClient;
  db: Db;
  jobs: Collection<JobDocument>;
  /** Drops the database and closes the client. */
  drop(): Promise<void>;
}

/** Connects to the test MongoDB and prepares a database with a fresh name. */
export async function freshDatabase(): Promise<TestDatabase> {
  const client = new MongoClient(testMongoUri(), { serverSelectionTimeoutMS: 5_000 });
  const db = client.db(`sluice_test_${randomUUID().slice(0, 8)}`);
  await prepareDatabase(db);
  return {
    client,
    db,
    jobs: jobsCollection(db),
    drop: async () => {
      await db.dropDatabase();
      await client.close();
    },
  };
}

export function testSqsClient(): SQSClient {
  return new SQSClient({ region: 'us-east-1', endpoint: testSqsEndpoint(), credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
}

/** Services wired to the shared test Redis, SQS and MongoDB, with a fresh database and stage. */
export async function testServices(overrides: Record<string, string> = {}): Promise<{ services: Services; stage: string; close(): Promise<void> }> {
  const stage = `t${randomUUID().slice(0, 8)}`;
  const database = `sluice_test_${stage}`;
  const config = readConfig({
    MONGODB_URI: testMongoUri(),
    MONGODB_DATABASE: database,
    REDIS_CLUSTER_NODES: testRedisNodes(),
    SQS_ENDPOINT: testSqsEndpoint(),
    SLUICE_STAGE: stage,
    ...overrides,
  });
  const services = createServices(config);
  await prepareDatabase(services.mongo.db(database));
  return {
    services,
    stage,
    close: async () => {
      await services.mongo.db(database).dropDatabase();
      await services.mongo.close();
      services.redis.disconnect();
      services.sqs.destroy();
    },
  };
}

/**
 * Test services with their stage's SQS queues created, optionally with another job type registry,
 * and the URL of the `default` queue.
 */
export async function testServicesWithQueues(jobTypes?: JobTypeRegistry): Promise<{ services: Services; close(): Promise<void>; queueUrl: string }> {
  const created = await testServices();
  const services = jobTypes ? { ...created.services, jobTypes } : created.services;
  const queues = await createQueues(services.sqs, services.queues.definitions);
  return { services, close: created.close, queueUrl: queues.get('default')?.url as string };
}
