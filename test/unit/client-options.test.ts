import { mongoClientOptions } from '../../lib/clients/mongo';
import { redisClusterOptions, redisNodeOptions } from '../../lib/clients/redis';
import { readConfig } from '../../lib/config/env';

const config = readConfig({
  MONGODB_URI: 'mongodb://127.0.0.1:27017',
  REDIS_CLUSTER_NODES: '127.0.0.1:7000',
  REDIS_NAT_MAP: '172.18.0.2:6379=127.0.0.1:7000',
  SLUICE_STAGE: 'prod',
});

describe('client options', () => {
  it('bounds every MongoDB timeout and keeps the pool small', () => {
    expect(mongoClientOptions(config)).toMatchObject({
      appName: 'sluice-prod',
      maxPoolSize: 5,
      minPoolSize: 0,
      serverSelectionTimeoutMS: 5_000,
      connectTimeoutMS: 5_000,
      socketTimeoutMS: 30_000,
      retryWrites: true,
      retryReads: true,
    });
  });

  it('bounds Redis commands and names the connection', () => {
    expect(redisNodeOptions(config)).toMatchObject({ connectionName: 'sluice-prod', connectTimeout: 1_000, commandTimeout: 1_000, socketTimeout: 1_000, maxRetriesPerRequest: 1 });
  });

  it('turns the Cluster offline queue off and passes the NAT map', () => {
    const options = redisClusterOptions(config);
    expect(options.enableOfflineQueue).toBe(false);
    expect(options.natMap).toEqual({ '172.18.0.2:6379': { host: '127.0.0.1', port: 7000 } });
    expect(options.clusterNodeRetryStrategy?.(50)).toBe(2_000);
    expect(options.redisOptions).not.toHaveProperty('retryStrategy');
  });
});
