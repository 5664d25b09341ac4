import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { startMongoWireServer, type MongoWireServer } from '../../localstack/mongo-wire';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

jest.setTimeout(60_000);

async function prepare(uri: string, database: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(tsx, [join(root, 'scripts', 'prepare-database.ts')], { cwd: root, env: { ...process.env, MONGODB_URI: uri, MONGODB_DATABASE: database } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}


describe('npm run db:prepare on a mongos', () => {
  let server: MongoWireServer;
  let client: MongoClient;

  beforeAll(async () => {
    server = await startMongoWireServer({ mongos: true, recordCommands: true });
    client = new MongoClient(server.uri);
  });

  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('creates the indexes, then shards jobs and idempotency keys on hashed _id', async () => {
    const result = await prepare(server.uri, 'sluice_prepare');

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('sluice_prepare.jobs and sluice_prepare.idempotencyKeys sharded on { _id: "hashed" }');
    const commands = server.commands();
    const names = commands.map((command) => command.name).filter((name) => ['createIndexes', 'enableSharding', 'shardCollection'].includes(name));
    expect(names).toEqual(['createIndexes', 'createIndexes', 'createIndexes', 'createIndexes', 'createIndexes', 'enableSharding', 'shardCollection', 'shardCollection']);
    expect(commands.filter((command) => command.name === 'enableSharding').map((command) => command.command)).toEqual([
      expect.objectContaining({ enableSharding: 'sluice_prepare', $db: 'admin' }),
    ]);
    expect(commands.filter((command) => command.name === 'shardCollection').map((command) => command.command)).toEqual([
      expect.objectContaining({ shardCollection: 'sluice_prepare.jobs', key: { _id: 'hashed' }, $db: 'admin' }),
      expect.objectContaining({ shardCollection: 'sluice_prepare.idempotencyKeys', key: { _id: 'hashed' }, $db: 'admin' }),
    ]);
    expect(server.sharding()).toEqual({
      databases: ['sluice_prepare'],
      collections: [
        { namespace: 'sluice_prepare.jobs', key: { _id: 'hashed' }, unique: false },
        { namespace: 'sluice_prepare.idempotencyKeys', key: { _id: 'hashed' }, unique: false },
      ],
    });
  });

  it('creates the query, TTL and shard key indexes', async () => {
    const db = client.db('sluice_prepare');
    const jobIndexes = await db.collection('jobs').listIndexes().toArray();
    expect(jobIndexes.map((index) => index.name).sort()).toEqual(
      ['_id_', '_id_hashed', 'dispatchToken', 'expiresAt_ttl', 'outbox_runAt', 'queue_state', 'queue_state_finishedAt', 'queue_updatedAt', 'state_leaseExpiresAt', 'state_runAt'].sort(),
    );
    expect(jobIndexes.find((index) => index.name === 'expiresAt_ttl')).toMatchObject({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });
    expect(jobIndexes.find((index) => index.name === 'state_runAt')).toMatchObject({ key: { state: 1, runAt: 1 } });
    const keyIndexes = await db.collection('idempotencyKeys').listIndexes().toArray();
    expect(keyIndexes.find((index) => index.name === 'expiresAt_ttl')).toMatchObject({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });
  });

  it('changes nothing when run again', async () => {
    const db = client.db('sluice_prepare');
    const indexesBefore = await db.collection('jobs').listIndexes().toArray();
    const shardingBefore = server.sharding();

    const result = await prepare(server.uri, 'sluice_prepare');

    expect(result.code).toBe(0);
    expect(await db.collection('jobs').listIndexes().toArray()).toEqual(indexesBefore);
    expect(server.sharding()).toEqual(shardingBefore);
  });

  it('fails naming the collection when it is sharded on another key', async () => {
    await client.db('admin').command({ shardCollection: 'sluice_other.jobs', key: { queue: 1 } });

    const result = await prepare(server.uri, 'sluice_other');

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('shardCollection sluice_other.jobs on {"_id":"hashed"} failed');
    expect(result.stderr).toContain('reshardCollection');
  });
});

describe('npm run db:prepare on a replica set or standalone', () => {
  it('creates the indexes and shards nothing', async () => {
    const server = await startMongoWireServer({ recordCommands: true });
    try {
      const result = await prepare(server.uri, 'sluice_plain');

      expect(result.code).toBe(0);
      expect(result.stdout).toContain('not a mongos, so nothing was sharded');
      const names = server.commands().map((command) => command.name);
      expect(names.filter((name) => name === 'createIndexes')).toHaveLength(3);
      expect(names).not.toContain('enableSharding');
      expect(names).not.toContain('shardCollection');
    } finally {
      await server.close();
    }
  });

  it('rejects a missing MONGODB_URI without running', async () => {
    const result = await prepare('', 'sluice_plain');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('MONGODB_URI is missing; set it to a connection string');
  });
});
