/**
 * Points the functions' configuration (read from the environment on first use) at the shared test
 * services, with a fresh database and stage. Import it before any function module, because
 * some read their configuration when they load.
 */
import { randomUUID } from 'node:crypto';
import { testMongoUri, testRedisNodes, testSqsEndpoint } from './services';

const stage = `h${randomUUID().slice(0, 8)}`;

Object.assign(process.env, {
  MONGODB_URI: testMongoUri(),
  MONGODB_DATABASE: `sluice_test_${stage}`,
  REDIS_CLUSTER_NODES: testRedisNodes(),
  SQS_ENDPOINT: testSqsEndpoint(),
  SLUICE_STAGE: stage,
});
