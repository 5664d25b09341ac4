import { Socket } from 'node:net';
import { deserialize, serialize, type Document } from 'bson';
import { MongoClient, MongoServerError } from 'mongodb';
import { startMongoWireServer } from '../../localstack/mongo-wire';
import { useWireServer } from './wire-server';

describe('mongo wire server handshake', () => {
  const fixture = useWireServer();

  it('answers ping', async () => {
    const reply = await fixture.freshDb().command({ ping: 1 });
    expect(reply.ok).toBe(1);
  });

  it('reports a writable standalone in hello', async () => {
    const hello = await fixture.client.db('admin').command({ hello: 1 });
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.helloOk).toBe(true);
    expect(hello.maxWireVersion).toBe(21);
    expect(hello.logicalSessionTimeoutMinutes).toBe(30);
    expect(hello.msg).toBeUndefined();
    expect(hello.compression).toBeUndefined();
    expect(hello.topologyVersion).toBeUndefined();
  });

  it('answers legacy isMaster with ismaster', async () => {
    const reply = await fixture.client.db('admin').command({ isMaster: 1 });
    expect(reply.ismaster).toBe(true);
  });

  it('returns buildInfo with a version', async () => {
    const info = await fixture.client.db('admin').command({ buildInfo: 1 });
    expect(info.version).toBe('7.0.0');
    expect(info.versionArray).toEqual([7, 0, 0, 0]);
  });

  it('rejects an unknown command naming it', async () => {
    const error = await fixture
      .freshDb()
      .command({ collMod: 'jobs' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(59);
    expect((error as MongoServerError).codeName).toBe('CommandNotFound');
    expect((error as MongoServerError).message).toContain("no such command: 'collMod'");
    expect((error as MongoServerError).message).toContain('implements only: aggregate, buildInfo');
  });

  it('rejects sharding commands outside mongos mode', async () => {
    const error = await fixture.client
      .db('admin')
      .command({ enableSharding: 'anything' })
      .catch((caught: unknown) => caught);
    expect((error as MongoServerError).code).toBe(59);
  });

  it('rejects a transaction', async () => {
    const error = await fixture
      .freshDb()
      .command({ find: 'jobs', startTransaction: true, autocommit: false, txnNumber: 1 })
      .catch((caught: unknown) => caught);
    expect((error as MongoServerError).codeName).toBe('IllegalOperation');
    expect((error as MongoServerError).message).toContain('transactions are not supported');
  });
});

/** Sends one raw message and resolves with the reply's bytes, or with null when the server closes the socket. */
function exchange(port: number, message: Buffer): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const received = Buffer.concat(chunks);
      if (received.length >= 4 && received.length >= received.readInt32LE(0)) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('close', () => resolve(null));
    socket.on('error', reject);
    socket.connect(port, '127.0.0.1', () => socket.write(message));
  });
}

function opQuery(namespace: string, query: Document): Buffer {
  const name = Buffer.from(`${namespace}\0`);
  const counts = Buffer.alloc(8);
  counts.writeInt32LE(0, 0);
  counts.writeInt32LE(-1, 4);
  const body = Buffer.concat([Buffer.alloc(4), name, counts, serialize(query)]);
  const header = Buffer.alloc(16);
  header.writeInt32LE(16 + body.length, 0);
  header.writeInt32LE(7, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(2004, 12);
  return Buffer.concat([header, body]);
}

function opReplyDocument(reply: Buffer): Document {
  expect(reply.readInt32LE(12)).toBe(1);
  expect(reply.readInt32LE(8)).toBe(7);
  return deserialize(reply.subarray(36));
}

describe('mongo wire server raw protocol', () => {
  const fixture = useWireServer();

  it('answers an OP_QUERY handshake with an OP_REPLY', async () => {
    const reply = await exchange(fixture.server.port, opQuery('admin.$cmd', { ismaster: 1, helloOk: true }));
    const document = opReplyDocument(reply!);
    expect(document.ismaster).toBe(true);
    expect(document.ok).toBe(1);
  });

  it('rejects OP_QUERY for other commands', async () => {
    const reply = await exchange(fixture.server.port, opQuery('app.$cmd', { find: 'jobs' }));
    const document = opReplyDocument(reply!);
    expect(document.ok).toBe(0);
    expect(document.code).toBe(352);
    expect(document.errmsg).toContain('Unsupported OP_QUERY command: find');
  });

  it('closes the connection on a bad message length', async () => {
    const header = Buffer.alloc(16);
    header.writeInt32LE(8, 0);
    const lines: string[] = [];
    const server = await startMongoWireServer({ log: (line) => lines.push(line) });
    try {
      await expect(exchange(server.port, header)).resolves.toBeNull();
      expect(lines.join('\n')).toContain('invalid message length 8');
    } finally {
      await server.close();
    }
  });
});

describe('mongo wire server in mongos mode', () => {
  const fixture = useWireServer({ mongos: true });

  it('answers hello as a mongos', async () => {
    const hello = await fixture.client.db('admin').command({ hello: 1 });
    expect(hello.msg).toBe('isdbgrid');
    expect(hello.isWritablePrimary).toBe(true);
  });

  it('records enableSharding and shardCollection', async () => {
    const db = fixture.freshDb();
    const admin = fixture.client.db('admin');
    await admin.command({ enableSharding: db.databaseName });
    const reply = await admin.command({ shardCollection: `${db.databaseName}.jobs`, key: { _id: 'hashed' } });

    expect(reply.collectionsharded).toBe(`${db.databaseName}.jobs`);
    const sharding = fixture.server.sharding();
    expect(sharding.databases).toContain(db.databaseName);
    expect(sharding.collections).toContainEqual({ namespace: `${db.databaseName}.jobs`, key: { _id: 'hashed' }, unique: false });
    const indexNames = (await db.collection('jobs').listIndexes().toArray()).map((index) => index.name);
    expect(indexNames).toEqual(['_id_', '_id_hashed']);
  });

  it('rejects resharding with another key', async () => {
    const db = fixture.freshDb();
    const admin = fixture.client.db('admin');
    await admin.command({ shardCollection: `${db.databaseName}.jobs`, key: { _id: 'hashed' } });
    const error = await admin
      .command({ shardCollection: `${db.databaseName}.jobs`, key: { queue: 1 } })
      .catch((caught: unknown) => caught);
    expect((error as MongoServerError).codeName).toBe('AlreadyInitialized');
  });

  it('rejects sharding commands outside the admin database', async () => {
    const db = fixture.freshDb();
    const error = await db.command({ enableSharding: db.databaseName }).catch((caught: unknown) => caught);
    expect((error as MongoServerError).codeName).toBe('Unauthorized');
    expect((error as MongoServerError).message).toContain('admin database');
  });

  it('serves writes through a mongos-mode client', async () => {
    const client = new MongoClient(fixture.server.uri, { serverSelectionTimeoutMS: 5_000 });
    try {
      const jobs = client.db(fixture.freshDb().databaseName).collection<{ _id: string; n: number }>('jobs');
      await jobs.insertOne({ _id: 'j1', n: 1 });
      await jobs.updateOne({ _id: 'j1' }, { $inc: { n: 1 } });
      expect(await jobs.findOne({ _id: 'j1' })).toEqual({ _id: 'j1', n: 2 });
    } finally {
      await client.close();
    }
  });
});
