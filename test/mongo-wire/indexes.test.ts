import { MongoBulkWriteError, MongoServerError } from 'mongodb';
import { useWireServer } from './wire-server';

interface Account {
  _id: string;
  email?: string;
  tenant?: string;
  deletedAt?: Date;
}

describe('mongo wire server unique indexes', () => {
  const fixture = useWireServer();

  it('rejects a duplicate insert with E11000', async () => {
    const db = fixture.freshDb();
    const accounts = db.collection<Account>('accounts');
    await accounts.createIndex({ email: 1 }, { unique: true });
    await accounts.insertOne({ _id: 'a', email: 'ada@example.com' });

    const error = await accounts.insertOne({ _id: 'b', email: 'ada@example.com' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MongoServerError);
    const serverError = error as MongoServerError;
    expect(serverError.code).toBe(11000);
    expect(serverError.message).toBe(
      `E11000 duplicate key error collection: ${db.databaseName}.accounts index: email_1 dup key: { email: "ada@example.com" }`,
    );
    expect(serverError.keyPattern).toEqual({ email: 1 });
    expect(serverError.keyValue).toEqual({ email: 'ada@example.com' });
    expect(await accounts.countDocuments()).toBe(1);
  });

  it('rejects a duplicate _id', async () => {
    const accounts = fixture.freshDb().collection<Account>('accounts');
    await accounts.insertOne({ _id: 'a' });
    await expect(accounts.insertOne({ _id: 'a' })).rejects.toMatchObject({ code: 11000, keyValue: { _id: 'a' } });
  });

  it('reports every duplicate of an unordered insertMany', async () => {
    const accounts = fixture.freshDb().collection<Account>('accounts');
    await accounts.createIndex({ email: 1 }, { unique: true });
    await accounts.insertOne({ _id: 'a', email: 'one@example.com' });

    const error = await accounts
      .insertMany(
        [
          { _id: 'b', email: 'one@example.com' },
          { _id: 'c', email: 'two@example.com' },
          { _id: 'a', email: 'three@example.com' },
          { _id: 'd', email: 'four@example.com' },
        ],
        { ordered: false },
      )
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(MongoBulkWriteError);
    const bulkError = error as MongoBulkWriteError;
    expect(bulkError.code).toBe(11000);
    expect(bulkError.insertedCount).toBe(2);
    const writeErrors = Array.isArray(bulkError.writeErrors) ? bulkError.writeErrors : [bulkError.writeErrors];
    expect(writeErrors.map((writeError) => writeError.index)).toEqual([0, 2]);
    expect(writeErrors.map((writeError) => writeError.code)).toEqual([11000, 11000]);
    expect(await accounts.countDocuments()).toBe(3);
  });

  it('stops an ordered insertMany at the first duplicate', async () => {
    const accounts = fixture.freshDb().collection<Account>('accounts');
    await accounts.insertOne({ _id: 'b' });
    const error = await accounts.insertMany([{ _id: 'a' }, { _id: 'b' }, { _id: 'c' }]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MongoBulkWriteError);
    expect((error as MongoBulkWriteError).insertedCount).toBe(1);
    expect(await accounts.countDocuments()).toBe(2);
  });

  it('rejects an update that takes a unique key', async () => {
    const accounts = fixture.freshDb().collection<Account>('accounts');
    await accounts.createIndex({ email: 1 }, { unique: true });
    await accounts.insertMany([
      { _id: 'a', email: 'a@example.com' },
      { _id: 'b', email: 'b@example.com' },
    ]);

    await expect(accounts.updateOne({ _id: 'b' }, { $set: { email: 'a@example.com' } })).rejects.toMatchObject({ code: 11000 });
    expect(await accounts.findOne({ _id: 'b' })).toEqual({ _id: 'b', email: 'b@example.com' });
    await accounts.updateOne({ _id: 'a' }, { $set: { email: 'a@example.com' } });
  });

  it('rejects an upsert that takes a unique key', async () => {
    const accounts = fixture.freshDb().collection<Account>('accounts');
    await accounts.createIndex({ email: 1 }, { unique: true });
    await accounts.insertOne({ _id: 'a', email: 'a@example.com' });
    await expect(
      accounts.updateOne({ _id: 'b' }, { $set: { email: 'a@example.com' } }, { upsert: true }),
    ).rejects.toMatchObject({ code: 11000 });
    await expect(
      accounts.findOneAndUpdate({ _id: 'c' }, { $set: { email: 'a@example.com' } }, { upsert: true }),
    ).rejects.toMatchObject({ code: 11000, keyValue: { email: 'a@example.com' } });
  });

  it('treats a missing field as null unless the index is sparse', async () => {
    const db = fixture.freshDb();
    const dense = db.collection<Account>('dense');
    await dense.createIndex({ email: 1 }, { unique: true });
    await dense.insertOne({ _id: 'a' });
    await expect(dense.insertOne({ _id: 'b' })).rejects.toMatchObject({ code: 11000, keyValue: { email: null } });

    const sparse = db.collection<Account>('sparse');
    await sparse.createIndex({ email: 1 }, { unique: true, sparse: true });
    await sparse.insertMany([{ _id: 'a' }, { _id: 'b' }]);
    expect(await sparse.countDocuments()).toBe(2);
  });

  it('enforces a partial unique index only where the filter matches', async () => {
    const accounts = fixture.freshDb().collection<Account>('accounts');
    await accounts.createIndex({ email: 1 }, { unique: true, partialFilterExpression: { deletedAt: { $exists: false } } });
    await accounts.insertOne({ _id: 'old', email: 'a@example.com', deletedAt: new Date() });
    await accounts.insertOne({ _id: 'new', email: 'a@example.com' });
    await expect(accounts.insertOne({ _id: 'newer', email: 'a@example.com' })).rejects.toMatchObject({ code: 11000 });
  });

  it('enforces a compound unique key', async () => {
    const accounts = fixture.freshDb().collection<Account>('accounts');
    await accounts.createIndex({ tenant: 1, email: 1 }, { unique: true });
    await accounts.insertMany([
      { _id: 'a', tenant: 't1', email: 'x@example.com' },
      { _id: 'b', tenant: 't2', email: 'x@example.com' },
    ]);
    const error = await accounts.insertOne({ _id: 'c', tenant: 't1', email: 'x@example.com' }).catch((caught: unknown) => caught);
    expect((error as MongoServerError).message).toContain('index: tenant_1_email_1 dup key: { tenant: "t1", email: "x@example.com" }');
  });

  it('refuses to build a unique index over duplicates', async () => {
    const accounts = fixture.freshDb().collection<Account>('accounts');
    await accounts.insertMany([
      { _id: 'a', email: 'x@example.com' },
      { _id: 'b', email: 'x@example.com' },
    ]);
    await expect(accounts.createIndex({ email: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    expect((await accounts.listIndexes().toArray()).map((index) => index.name)).toEqual(['_id_']);
  });

  it('frees a unique key when its document is deleted', async () => {
    const accounts = fixture.freshDb().collection<Account>('accounts');
    await accounts.createIndex({ email: 1 }, { unique: true });
    await accounts.insertOne({ _id: 'a', email: 'x@example.com' });
    await accounts.deleteOne({ _id: 'a' });
    await accounts.insertOne({ _id: 'b', email: 'x@example.com' });
    expect(await accounts.countDocuments({ email: 'x@example.com' })).toBe(1);
  });
});

describe('mongo wire server index management', () => {
  const fixture = useWireServer();

  it('lists indexes with their options', async () => {
    const jobs = fixture.freshDb().collection('jobs');
    await jobs.createIndex({ state: 1, runAt: 1 });
    await jobs.createIndex({ dispatchToken: 1 }, { sparse: true });
    await jobs.createIndex({ finishedAt: 1 }, { expireAfterSeconds: 3600 });

    expect(await jobs.listIndexes().toArray()).toEqual([
      { v: 2, key: { _id: 1 }, name: '_id_' },
      { v: 2, key: { state: 1, runAt: 1 }, name: 'state_1_runAt_1' },
      { v: 2, key: { dispatchToken: 1 }, name: 'dispatchToken_1', sparse: true },
      { v: 2, key: { finishedAt: 1 }, name: 'finishedAt_1', expireAfterSeconds: 3600 },
    ]);
  });

  it('accepts an identical index twice', async () => {
    const db = fixture.freshDb();
    await db.collection('jobs').createIndex({ queue: 1 });
    const reply = await db.command({ createIndexes: 'jobs', indexes: [{ key: { queue: 1 }, name: 'queue_1' }] });
    expect(reply.numIndexesAfter).toBe(2);
    expect(reply.note).toBe('all indexes already exist');
  });

  it('rejects the same name with another key', async () => {
    const jobs = fixture.freshDb().collection('jobs');
    await jobs.createIndex({ queue: 1 }, { name: 'by_queue' });
    await expect(jobs.createIndex({ state: 1 }, { name: 'by_queue' })).rejects.toMatchObject({ codeName: 'IndexKeySpecsConflict' });
  });

  it('rejects the same key under another name', async () => {
    const jobs = fixture.freshDb().collection('jobs');
    await jobs.createIndex({ queue: 1 }, { name: 'by_queue' });
    await expect(jobs.createIndex({ queue: 1 }, { name: 'queue_again' })).rejects.toMatchObject({ codeName: 'IndexOptionsConflict' });
  });

  it('rejects unsupported index types and options naming them', async () => {
    const jobs = fixture.freshDb().collection('jobs');
    await expect(jobs.createIndex({ body: 'text' })).rejects.toThrow("index key value 'text' for field 'body' is not supported");
    await expect(jobs.createIndex({ name: 1 }, { collation: { locale: 'en' } })).rejects.toThrow("index option 'collation' is not supported");
    await expect(jobs.createIndex({ a: 1, b: 1 }, { expireAfterSeconds: 10 })).rejects.toThrow('compound indexes do not support TTL');
  });
});
