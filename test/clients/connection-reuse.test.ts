/**
 * Runs every function many times in one process, as one warm Lambda container would, against a
 * MongoDB wire server of its own (so it can count and drop connections) and the shared test
 * Redis Cluster (connections found by their client name).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent } from 'aws-lambda';
import type { Services } from '../../lib/clients';
import { prepareDatabase } from '../../lib/store/collections';
import { startMongoWireServer, type MongoWireServer } from '../../localstack/mongo-wire';
import { createQueues } from '../../localstack/create-queues';
import { testRedisNodes, testSqsEndpoint } from '../support/services';
import { invoke, type HttpHandler } from '../support/http-handlers';
import { RedisClientInspector } from '../support/redis-clients';

jest.mock('../../lib/clients/mongo', () => {
  const actual = jest.requireActual('../../lib/clients/mongo');
  return { ...actual, createMongoClient: jest.fn(actual.createMongoClient) };
});
jest.mock('../../lib/clients/redis', () => {
  const actual = jest.requireActual('../../lib/clients/redis');
  return { ...actual, createRedisClient: jest.fn(actual.createRedisClient) };
});
jest.mock('../../lib/clients/sqs', () => {
  const actual = jest.requireActual('../../lib/clients/sqs');
  return { ...actual, createSqsClient: jest.fn(actual.createSqsClient) };
});

const INVOCATIONS = 50;
const stage = `c${randomUUID().slice(0, 8)}`;
/** The client name every Redis connection of these functions carries. */
const connectionName = `sluice-${stage}`;

let mongoServer: MongoWireServer;
let redisClients: RedisClientInspector;
let target: Server;
let targetUrl: string;
let functions: {
  enqueue: HttpHandler;
  getJob: HttpHandler;
  queueStats: HttpHandler;
  process: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
  dispatch: (event: unknown, context: Context) => Promise<unknown>;
};
let clients: { getServices(): Services };

const lambdaContext = { awsRequestId: 'connections', functionName: 'process', getRemainingTimeInMillis: () => 20_000 } as Context;

beforeAll(async () => {
  mongoServer = await startMongoWireServer({ host: '127.0.0.1', port: 0 });
  redisClients = new RedisClientInspector();
  target = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}/`;
  Object.assign(process.env, {
    MONGODB_URI: mongoServer.uri,
    MONGODB_DATABASE: `sluice_test_${stage}`,
    REDIS_CLUSTER_NODES: testRedisNodes(),
    SQS_ENDPOINT: testSqsEndpoint(),
    SLUICE_STAGE: stage,
    SLUICE_QUEUE: 'default',
    REDIS_TIMEOUT_MS: '1000',
    MONGODB_TIMEOUT_MS: '2000',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  // The functions read their configuration when first used, so they load after the variables are set.
  clients = require('../../lib/clients');
  const services = clients.getServices();
  await prepareDatabase(services.mongo.db(services.config.MONGODB_DATABASE));
  await createQueues(services.sqs, services.queues.definitions);
  const enqueue = require('../../functions/enqueue');
  const jobsApi = require('../../functions/jobs-api');
  const processFunction = require('../../functions/process');
  const dispatch = require('../../functions/dispatch');
  functions = {
    enqueue: enqueue.handler as unknown as HttpHandler,
    getJob: jobsApi.getJob as unknown as HttpHandler,
    queueStats: jobsApi.queueStats as unknown as HttpHandler,
    process: processFunction.handler as unknown as typeof functions.process,
    dispatch: dispatch.handler as unknown as typeof functions.dispatch,
  };
});

afterAll(async () => {
  const services = clients?.getServices();
  if (services) {
    await services.mongo.db(services.config.MONGODB_DATABASE).dropDatabase();
    await services.mongo.close();
    services.redis.disconnect();
    services.sqs.destroy();
  }
  redisClients?.close();
  await mongoServer?.close();
  await new Promise((resolve) => target?.close(resolve));
});

function sqsEvent(jobId: string): SQSEvent {
  return { Records: [{ messageId: randomUUID(), body: JSON.stringify({ jobId, queue: 'default' }) }] } as SQSEvent;
}

/** Invokes each function once, the way a producer, SQS and a poller of the status API would. */
async function invokeEveryFunction(): Promise<string> {
  const enqueued = await invoke(functions.enqueue, { pathParameters: { queue: 'default' }, body: { type: 'http', payload: { url: targetUrl } } });
  expect(enqueued.status).toBe(202);
  const jobId = enqueued.body.id as string;
  const processed = await functions.process(sqsEvent(jobId), lambdaContext);
  expect(processed.batchItemFailures).toEqual([]);
  const status = await invoke(functions.getJob, { pathParameters: { id: jobId } });
  expect(status.body.state).toBe('completed');
  expect((await invoke(functions.queueStats, { pathParameters: { queue: 'default' } })).status).toBe(200);
  await functions.dispatch({}, lambdaContext);
  return jobId;
}

describe('clients across invocations', () => {
  it('creates one client of each kind and keeps the connection count flat', async () => {
    // Warm-up: the pool grows to what one invocation needs at most.
    for (let round = 0; round < 5; round += 1) {
      await invokeEveryFunction();
    }
    const mongoAfterWarmUp = mongoServer.connectionCounts();
    const redisAfterWarmUp = await redisClients.ids(connectionName);

    for (let round = 5; round < INVOCATIONS; round += 1) {
      await invokeEveryFunction();
    }

    const { createMongoClient } = jest.requireMock('../../lib/clients/mongo');
    const { createRedisClient } = jest.requireMock('../../lib/clients/redis');
    const { createSqsClient } = jest.requireMock('../../lib/clients/sqs');
    expect(createMongoClient).toHaveBeenCalledTimes(1);
    expect(createRedisClient).toHaveBeenCalledTimes(1);
    expect(createSqsClient).toHaveBeenCalledTimes(1);

    const mongoAfterAll = mongoServer.connectionCounts();
    expect(mongoAfterAll.accepted).toBe(mongoAfterWarmUp.accepted);
    expect(mongoAfterAll.open).toBe(mongoAfterWarmUp.open);
    // The pool (MONGODB_MAX_POOL_SIZE 5) plus the driver's monitoring connection.
    expect(mongoAfterAll.accepted).toBeLessThanOrEqual(5 + 1);

    // ioredis opens a node's connection on the first command routed to it, so a node the warm-up
    // never reached may gain its one connection later. No connection may be replaced or added twice.
    const redisAfterAll = await redisClients.ids(connectionName);
    expect(redisAfterAll).toEqual(expect.arrayContaining(redisAfterWarmUp));
    const nodesAfterAll = redisAfterAll.map((entry) => entry.split(':')[0]);
    expect(new Set(nodesAfterAll).size).toBe(nodesAfterAll.length);
    expect(redisAfterAll.length).toBeGreaterThan(0);
    expect(redisAfterAll.length).toBeLessThanOrEqual(6);
  });

  it('recovers when every Redis and MongoDB connection is dropped between invocations', async () => {
    const jobId = await invokeEveryFunction();
    const before = await redisClients.ids(connectionName);

    const killed = await redisClients.kill(connectionName);
    const dropped = mongoServer.dropAllConnections();
    expect(killed).toBe(before.length);
    expect(dropped).toBeGreaterThan(0);

    // One command timeout (1 s) plus one MongoDB server selection (2 s) bound the recovery.
    const startedAt = Date.now();
    const status = await invoke(functions.getJob, { pathParameters: { id: jobId } });
    const elapsedMs = Date.now() - startedAt;
    expect(status.body).toMatchObject({ id: jobId, state: 'completed' });
    expect(elapsedMs).toBeLessThan(3_000);

    // The next full round works on the new connections, and the status cache is written again.
    const next = await invokeEveryFunction();
    expect(await clients.getServices().statusCache.get(next)).toMatchObject({ state: 'completed' });
    const after = await redisClients.ids(connectionName);
    expect(after.some((id) => before.includes(id))).toBe(false);
    expect(mongoServer.connectionCounts().accepted).toBeGreaterThan(0);
  });
});
