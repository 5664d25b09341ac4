import { ConfigError } from '../../lib/errors';
import { readConfig } from '../../lib/config/env';

const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017', REDIS_CLUSTER_NODES: '127.0.0.1:7000,127.0.0.1:7001' };

describe('readConfig', () => {
  it('applies defaults and splits cluster nodes', () => {
    const config = readConfig(base);
    expect(config.MONGODB_DATABASE).toBe('sluice');
    expect(config.REDIS_CLUSTER_NODES).toEqual(['127.0.0.1:7000', '127.0.0.1:7001']);
    expect(config.SLUICE_MAX_PAYLOAD_BYTES).toBe(262_144);
  });

  it('parses REDIS_NAT_MAP into an ioredis natMap', () => {
    const config = readConfig({ ...base, REDIS_NAT_MAP: '172.18.0.2:6379=127.0.0.1:7000, 172.18.0.3:6379=127.0.0.1:7001' });
    expect(config.REDIS_NAT_MAP).toEqual({
      '172.18.0.2:6379': { host: '127.0.0.1', port: 7000 },
      '172.18.0.3:6379': { host: '127.0.0.1', port: 7001 },
    });
  });

  it('treats empty strings as unset', () => {
    expect(readConfig({ ...base, SQS_ENDPOINT: '', REDIS_URL: '' }).SQS_ENDPOINT).toBeUndefined();
  });

  it.each([
    [{ REDIS_URL: 'redis://127.0.0.1:6379' }, 'MONGODB_URI is missing'],
    [{ ...base, MONGODB_URI: 'http://db' }, 'MONGODB_URI (value: "http://db") must start with mongodb://'],
    [{ MONGODB_URI: base.MONGODB_URI }, 'REDIS_CLUSTER_NODES is missing'],
    [{ ...base, REDIS_URL: 'redis://127.0.0.1:6379' }, 'set only one of them'],
    [{ ...base, REDIS_CLUSTER_NODES: '127.0.0.1' }, 'each node must be host:port'],
    [{ ...base, MONGODB_MAX_POOL_SIZE: 'many' }, 'MONGODB_MAX_POOL_SIZE (value: "many")'],
    [{ ...base, REDIS_NAT_MAP: '172.18.0.2:6379' }, 'REDIS_NAT_MAP (value: "172.18.0.2:6379") each entry must be announced-host:port=reachable-host:port'],
    [{ MONGODB_URI: base.MONGODB_URI, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_NAT_MAP: '10.0.0.1:6379=127.0.0.1:7000' }, 'applies only to a Redis Cluster; set REDIS_CLUSTER_NODES too'],
  ])('rejects %j naming the variable', (env, expected) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(expected);
  });
});
