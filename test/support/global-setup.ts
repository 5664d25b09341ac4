import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMongoWireServer } from '../../localstack/mongo-wire';
import { startRedisCluster } from '../../localstack/redis-cluster';
import { startSqsServer } from '../../localstack/sqs';

/**
 * First port of the shared test Redis Cluster (7100-7105; the dev stack uses 7000-7005).
 * SLUICE_TEST_REDIS_BASE_PORT moves it, so two test runs can share a machine.
 */
const TEST_REDIS_BASE_PORT = Number(process.env.SLUICE_TEST_REDIS_BASE_PORT || 7100);

declare global {
  // eslint-disable-next-line no-var
  var sluiceTestServices: { stop(): Promise<void> } | undefined;
}

/**
 * Starts the services the integration tests share: a six-node Redis Cluster, the fauxqs SQS
 * emulator, and the MongoDB wire-protocol test server unless MONGODB_URI names a real MongoDB.
 * Their addresses reach the test workers through SLUICE_TEST_* variables.
 */
export default async function globalSetup(): Promise<void> {
  const progress = (line: string) => process.stderr.write(`[test services] ${line}\n`);
  const stoppers: (() => Promise<void>)[] = [];
  globalThis.sluiceTestServices = {
    stop: async () => {
      for (const stop of stoppers.reverse()) {
        await stop();
      }
    },
  };

  const redisDir = mkdtempSync(join(tmpdir(), 'sluice-test-redis-'));
  stoppers.push(async () => rmSync(redisDir, { recursive: true, force: true }));
  const redis = await startRedisCluster({ basePort: TEST_REDIS_BASE_PORT, dir: redisDir, onProgress: progress });
  stoppers.push(() => redis.stop());
  process.env.SLUICE_TEST_REDIS_NODES = redis.nodes.map((node) => `${node.host}:${node.port}`).join(',');

  const sqs = await startSqsServer({ port: 0, onProgress: progress });
  stoppers.push(() => sqs.stop());
  process.env.SLUICE_TEST_SQS_ENDPOINT = sqs.endpoint;

  if (process.env.MONGODB_URI) {
    progress(`store tests run against MONGODB_URI`);
    process.env.SLUICE_TEST_MONGODB_URI = process.env.MONGODB_URI;
  } else {
    const mongo = await startMongoWireServer({ host: '127.0.0.1', port: 0 });
    stoppers.push(() => mongo.close());
    process.env.SLUICE_TEST_MONGODB_URI = mongo.uri;
  }
}
