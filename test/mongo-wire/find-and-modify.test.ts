import { MongoClient } from 'mongodb';
import { useWireServer } from './wire-server';

interface Job {
  _id: string;
  state: string;
  priority?: number;
  leaseToken?: string;
  attempts?: number;
}

describe('mongo wire server findAndModify', () => {
  const fixture = useWireServer();

  it('updates the first document in sort order and returns the new version', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertMany([
      { _id: 'low', state: 'queued', priority: 1 },
      { _id: 'high', state: 'queued', priority: 9 },
      { _id: 'mid', state: 'queued', priority: 5 },
    ]);

    const claimed = await collection.findOneAndUpdate(
      { state: 'queued' },
      { $set: { state: 'active' }, $inc: { attempts: 1 } },
      { sort: { priority: -1 }, returnDocument: 'after' },
    );
    expect(claimed).toEqual({ _id: 'high', state: 'active', priority: 9, attempts: 1 });
  });

  it('returns the old version by default', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertOne({ _id: 'a', state: 'queued' });
    const previous = await collection.findOneAndUpdate({ _id: 'a' }, { $set: { state: 'active' } });
    expect(previous).toEqual({ _id: 'a', state: 'queued' });
  });

  it('returns null when nothing matches', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertOne({ _id: 'a', state: 'active' });
    expect(await collection.findOneAndUpdate({ _id: 'a', state: 'queued' }, { $set: { state: 'active' } })).toBeNull();
  });

  it('lets exactly one of two concurrent claims win', async () => {
    const db = fixture.freshDb();
    await db.collection<Job>('jobs').insertOne({ _id: 'job-1', state: 'queued' });
    // A second client guarantees the two claims travel on different connections.
    const rival = new MongoClient(fixture.server.uri, { serverSelectionTimeoutMS: 5_000 });
    try {
      const claim = (client: MongoClient, token: string) =>
        client
          .db(db.databaseName)
          .collection<Job>('jobs')
          .findOneAndUpdate({ _id: 'job-1', state: 'queued' }, { $set: { state: 'active', leaseToken: token } }, { returnDocument: 'after' });

      const results = await Promise.all([claim(fixture.client, 'token-a'), claim(rival, 'token-b')]);
      const winners = results.filter((result) => result !== null);
      expect(winners).toHaveLength(1);
      const stored = await db.collection<Job>('jobs').findOne({ _id: 'job-1' });
      expect(stored?.leaseToken).toBe(winners[0]?.leaseToken);
    } finally {
      await rival.close();
    }
  });

  it('upserts and reports the new document', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    const result = await collection.findOneAndUpdate(
      { _id: 'new' },
      { $set: { state: 'queued' } },
      { upsert: true, returnDocument: 'after', includeResultMetadata: true },
    );
    expect(result.value).toEqual({ _id: 'new', state: 'queued' });
    expect(result.lastErrorObject).toEqual({ n: 1, updatedExisting: false, upserted: 'new' });
  });

  it('applies a projection to the returned document', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertOne({ _id: 'a', state: 'queued', attempts: 0 });
    const result = await collection.findOneAndUpdate({ _id: 'a' }, { $inc: { attempts: 1 } }, { projection: { attempts: 1 }, returnDocument: 'after' });
    expect(result).toEqual({ _id: 'a', attempts: 1 });
  });

  it('removes and returns the document', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertMany([
      { _id: 'a', state: 'done', priority: 1 },
      { _id: 'b', state: 'done', priority: 2 },
    ]);
    const removed = await collection.findOneAndDelete({ state: 'done' }, { sort: { priority: 1 } });
    expect(removed).toEqual({ _id: 'a', state: 'done', priority: 1 });
    expect(await collection.countDocuments()).toBe(1);
  });

  it('rejects remove combined with update', async () => {
    const db = fixture.freshDb();
    const error = await db
      .command({ findAndModify: 'jobs', query: {}, remove: true, update: { $set: { a: 1 } } })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ codeName: 'FailedToParse' });
  });
});
