/**
 * Starts one MongoDB wire test server and one real driver client per test file, hands out a
 * fresh database per test and drops it afterwards.
 */
import { MongoClient, type Db } from 'mongodb';
import { startMongoWireServer, type MongoWireServer, type MongoWireServerOptions } from '../../localstack/mongo-wire';

export interface WireServerFixture {
  readonly server: MongoWireServer;
  readonly client: MongoClient;
  /** A database name no other test uses; dropped after the test. */
  freshDb(): Db;
}

let databaseCounter = 0;

export function useWireServer(options: MongoWireServerOptions = {}): WireServerFixture {
  let server: MongoWireServer | undefined;
  let client: MongoClient | undefined;
  const databases: Db[] = [];

  beforeAll(async () => {
    server = await startMongoWireServer(options);
    client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5_000 });
    await client.connect();
  });

  afterEach(async () => {
    for (const db of databases.splice(0)) await db.dropDatabase();
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  return {
    get server() {
      if (server === undefined) throw new Error('the wire server starts in beforeAll; use it inside a test');
      return server;
    },
    get client() {
      if (client === undefined) throw new Error('the driver client connects in beforeAll; use it inside a test');
      return client;
    },
    freshDb() {
      databaseCounter += 1;
      const db = this.client.db(`wire_${process.pid}_${databaseCounter}`);
      databases.push(db);
      return db;
    },
  };
}
