import { createServices, reopenClosedMongo } from '../../lib/clients';
import { readConfig } from '../../lib/config/env';
import { startMongoWireServer } from '../../localstack/mongo-wire';
import { freePort } from '../../localstack/ports';
import { testRedisNodes, testSqsEndpoint } from '../support/services';

describe('reopenClosedMongo', () => {
  it('replaces a client closed by a failed first connection', async () => {
    // Nothing listens on the port yet, so the client's first operation fails.
    const port = await freePort();
    const config = readConfig({
      MONGODB_URI: `mongodb://127.0.0.1:${port}/?directConnection=true`,
      MONGODB_TIMEOUT_MS: '300',
      REDIS_CLUSTER_NODES: testRedisNodes(),
      SQS_ENDPOINT: testSqsEndpoint(),
    });
    const services = createServices(config);
    await expect(services.jobs.findOne({ _id: 'missing' })).rejects.toThrow();
    const server = await startMongoWireServer({ host: '127.0.0.1', port });
    let reopened = services;
    try {
      // The driver keeps the failed client closed, even now that the server listens.
      await expect(services.jobs.findOne({ _id: 'missing' })).rejects.toThrow('Topology is closed');

      reopened = reopenClosedMongo(services);

      expect(reopened.mongo).not.toBe(services.mongo);
      expect(reopened.redis).toBe(services.redis);
      await expect(reopened.jobs.findOne({ _id: 'missing' })).resolves.toBeNull();
      expect(reopenClosedMongo(reopened)).toBe(reopened);
    } finally {
      await reopened.mongo.close();
      reopened.redis.disconnect();
      reopened.sqs.destroy();
      await server.close();
    }
  });
});
