import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import databasePlan from '../../lib/store/database-plan.json';
import { IDEMPOTENCY_COLLECTION } from '../../lib/idempotency/idempotency-store';
import { parseQueueDefinitions } from '../../lib/queues/definitions';
import { JOBS_COLLECTION, SCHEDULES_COLLECTION } from '../../lib/store/collections';

const localstackDir = join(__dirname, '..', '..', 'localstack');

interface Service {
  image?: string;
  command?: string[] | string;
  entrypoint?: string[];
  ports?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  network_mode?: string;
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  profiles?: string[];
  restart?: string;
}

const compose = parse(readFileSync(join(localstackDir, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;
const redisPorts = [7000, 7001, 7002, 7003, 7004, 7005];

function service(name: string): Service {
  const found = services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

function commandOf(name: string): string[] {
  const command = service(name).command;
  return Array.isArray(command) ? command : [String(command)];
}

function flagValue(command: string[], flag: string): string | undefined {
  const index = command.indexOf(flag);
  return index === -1 ? undefined : command[index + 1];
}

function dependencies(name: string): Record<string, string> {
  const dependsOn = service(name).depends_on ?? [];
  return Array.isArray(dependsOn) ? Object.fromEntries(dependsOn.map((dependency) => [dependency, 'service_started'])) : Object.fromEntries(Object.entries(dependsOn).map(([key, value]) => [key, value.condition]));
}

/** Host paths of a service's bind mounts, resolved against the compose file's folder. */
function mountSources(name: string): Record<string, string> {
  return Object.fromEntries((service(name).volumes ?? []).map((volume) => {
    const [source, target] = volume.split(':');
    return [target as string, resolve(localstackDir, source as string)];
  }));
}

describe('localstack/docker-compose.yml', () => {
  it('defines the services', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['localstack', 'configsvr', 'shard1', 'shard2', 'mongos', 'mongo-init', 'redis-network', ...redisPorts.map((port) => `redis-${port}`), 'redis-cluster-init', 'stack-ready'].sort(),
    );
  });

  it('publishes only LocalStack, mongos and the Redis nodes, on 127.0.0.1', () => {
    const published = Object.entries(services).flatMap(([name, definition]) => (definition.ports ?? []).map((port) => `${name} ${port}`));
    expect(published.sort()).toEqual(['localstack 127.0.0.1:4566:4566', 'mongos 127.0.0.1:27017:27017', 'redis-network 127.0.0.1:7000-7005:7000-7005'].sort());
  });

  it('creates the queues in LocalStack through an init hook', () => {
    const localstack = service('localstack');
    expect(localstack.environment?.SERVICES).toBe('sqs');
    const mounts = mountSources('localstack');
    expect(existsSync(join(mounts['/etc/localstack/init/ready.d'] as string, 'create-queues.py'))).toBe(true);
    expect(mounts['/etc/localstack/sluice/queues.json']).toBe(resolve(localstackDir, '..', 'queues.json'));
    expect(localstack.healthcheck?.test.join(' ')).toContain('/_localstack/init/ready');
  });

  it('runs a config server and two shard replica sets behind mongos', () => {
    expect(flagValue(commandOf('configsvr'), '--replSet')).toBe('configReplSet');
    expect(commandOf('configsvr')).toContain('--configsvr');
    for (const shard of ['shard1', 'shard2']) {
      expect(commandOf(shard)).toContain('--shardsvr');
      expect(flagValue(commandOf(shard), '--replSet')).toBe(shard);
      expect(service(shard).healthcheck).toBeDefined();
    }
    expect(commandOf('mongos')[0]).toBe('mongos');
    expect(flagValue(commandOf('mongos'), '--configdb')).toBe(`configReplSet/configsvr:${flagValue(commandOf('configsvr'), '--port')}`);
  });

  it('adds the shards and applies the database plan in the init container', () => {
    expect(dependencies('mongo-init')).toEqual({ configsvr: 'service_healthy', shard1: 'service_healthy', shard2: 'service_healthy', mongos: 'service_started' });
    expect(service('mongo-init').restart).toBe('no');
    const mounts = mountSources('mongo-init');
    expect(mounts['/init/database-plan.json']).toBe(resolve(localstackDir, '..', 'lib', 'store', 'database-plan.json'));
    const script = readFileSync(mounts['/init/mongo-init.js'] as string, 'utf8');
    expect(commandOf('mongo-init')).toEqual(['mongosh', '--nodb', '--quiet', '/init/mongo-init.js']);
    for (const step of ["initiateReplicaSet('configsvr:27019', 'configReplSet', true)", "initiateReplicaSet('shard1:27018', 'shard1', false)", "initiateReplicaSet('shard2:27018', 'shard2', false)", 'addShard: host', "readFileSync('/init/database-plan.json'", 'enableSharding: databaseName', 'shardCollection:']) {
      expect(script).toContain(step);
    }
    expect(script).toContain("['shard1', 'shard1/shard1:27018'], ['shard2', 'shard2/shard2:27018']");
  });

  it('plans the indexes and hashed _id shard keys of the store', () => {
    expect(Object.keys(databasePlan.collections).sort()).toEqual([JOBS_COLLECTION, SCHEDULES_COLLECTION, IDEMPOTENCY_COLLECTION].sort());
    const collections = databasePlan.collections as Record<string, { shardKey?: unknown }>;
    expect(collections[JOBS_COLLECTION]?.shardKey).toEqual({ _id: 'hashed' });
    expect(collections[IDEMPOTENCY_COLLECTION]?.shardKey).toEqual({ _id: 'hashed' });
    expect(collections[SCHEDULES_COLLECTION]?.shardKey).toBeUndefined();
  });

  it('runs six cluster nodes that announce host-reachable addresses', () => {
    for (const port of redisPorts) {
      const node = service(`redis-${port}`);
      const command = commandOf(`redis-${port}`);
      expect(node.network_mode).toBe('service:redis-network');
      expect(flagValue(command, '--port')).toBe(String(port));
      expect(flagValue(command, '--cluster-enabled')).toBe('yes');
      expect(flagValue(command, '--cluster-announce-ip')).toBe('127.0.0.1');
      expect(flagValue(command, '--cluster-config-file')).toBe(`nodes-${port}.conf`);
      expect(flagValue(command, '--bind')).toBe('0.0.0.0');
    }
    const init = service('redis-cluster-init');
    expect(init.network_mode).toBe('service:redis-network');
    const script = commandOf('redis-cluster-init').join('\n');
    expect(script).toContain(`redis-cli --cluster create ${redisPorts.slice(0, 3).map((port) => `127.0.0.1:${port}`).join(' ')}`);
    expect(script).toContain(`${redisPorts.slice(3).map((port) => `127.0.0.1:${port}`).join(' ')} --cluster-replicas 1 --cluster-yes`);
  });

  it('waits for every init step before the stack counts as ready', () => {
    expect(service('stack-ready').profiles).toEqual(['wait']);
    expect(dependencies('stack-ready')).toEqual({
      localstack: 'service_healthy',
      'mongo-init': 'service_completed_successfully',
      'redis-cluster-init': 'service_completed_successfully',
    });
  });
});

describe('localstack/start-docker.sh', () => {
  const script = readFileSync(join(localstackDir, 'start-docker.sh'), 'utf8');

  it('is valid bash', () => {
    expect(() => execFileSync('bash', ['-n', join(localstackDir, 'start-docker.sh')])).not.toThrow();
  });

  it('points serverless offline at the published ports', () => {
    expect(script).toContain('compose up -d');
    expect(script).toContain('compose run --rm stack-ready');
    expect(script).toContain('export MONGODB_URI="mongodb://127.0.0.1:27017"');
    expect(script).toContain(`export REDIS_CLUSTER_NODES="${redisPorts.map((port) => `127.0.0.1:${port}`).join(',')}"`);
    expect(script).toContain('export SQS_ENDPOINT="http://127.0.0.1:4566"');
    expect(script).toContain('exec npx tsx localstack/start.ts');
  });
});

describe('localstack/init/ready.d/create-queues.py', () => {
  const script = readFileSync(join(localstackDir, 'init', 'ready.d', 'create-queues.py'), 'utf8');

  it('uses the defaults of the queue definitions', () => {
    const block = /DEFAULT_SETTINGS = \{([^}]*)\}/.exec(script)?.[1] ?? '';
    const pythonDefaults = Object.fromEntries([...block.matchAll(/"(\w+)": ([\d_]+)/g)].map((match) => [match[1], Number((match[2] as string).replace(/_/g, ''))]));
    const [queue] = parseQueueDefinitions({ queues: { q: {} } }, { service: 'sluice', stage: 'dev' });
    expect(Object.keys(pythonDefaults).length).toBeGreaterThan(0);
    for (const [name, value] of Object.entries(pythonDefaults)) {
      expect([name, value]).toEqual([name, (queue as unknown as Record<string, unknown>)[name]]);
    }
    expect(script).toContain('VISIBILITY_TIMEOUT_FACTOR = 6');
  });

  it('creates a queue per priority lane', () => {
    expect(script).toContain('f"{base_name}-{lane[\'name\']}" for lane in settings.get("priorityLanes", [])');
  });
});
