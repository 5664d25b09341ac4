import { Long, ObjectId } from 'mongodb';
import { useWireServer } from './wire-server';

interface Job {
  _id: string;
  queue?: string;
  state?: string;
  attempts?: number;
  runAt?: Date;
  sentAt?: Date | null;
  log?: string[];
  note?: string;
  createdAt?: Date;
}

function jobs(count: number, queue = 'emails'): Job[] {
  return Array.from({ length: count }, (_, index) => ({
    _id: `job-${String(index).padStart(4, '0')}`,
    queue,
    state: 'queued',
    attempts: 0,
    runAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)),
  }));
}

describe('mongo wire server insert and find', () => {
  const fixture = useWireServer();

  it('returns inserted documents with dates intact', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    const runAt = new Date('2026-03-01T12:00:00.000Z');
    await collection.insertOne({ _id: 'a', state: 'queued', runAt });

    const found = await collection.findOne({ _id: 'a' });
    expect(found).toEqual({ _id: 'a', state: 'queued', runAt });
    expect(found?.runAt).toBeInstanceOf(Date);
  });

  it('applies unacknowledged writes', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    // w: 0 makes the driver set the OP_MSG moreToCome flag, so the server must not reply.
    await collection.insertOne({ _id: 'quiet', state: 'queued' }, { writeConcern: { w: 0 } });
    expect(await collection.findOne({ _id: 'quiet' })).toEqual({ _id: 'quiet', state: 'queued' });
  });

  it('generates an ObjectId when _id is missing', async () => {
    const collection = fixture.freshDb().collection<{ name: string }>('people');
    const { insertedId } = await collection.insertOne({ name: 'ada' });
    expect(insertedId).toBeInstanceOf(ObjectId);
    expect(await collection.findOne({ _id: insertedId })).toEqual({ _id: insertedId, name: 'ada' });
  });

  it('pages through getMore with batchSize', async () => {
    const db = fixture.freshDb();
    const collection = db.collection<Job>('jobs');
    await collection.insertMany(jobs(25));

    const cursor = collection.find({}, { batchSize: 10 }).sort({ _id: 1 });
    const ids: string[] = [];
    for await (const job of cursor) ids.push(job._id);

    expect(ids).toHaveLength(25);
    expect(ids[0]).toBe('job-0000');
    expect(ids[24]).toBe('job-0024');
  });

  it('returns getMore batches of batchSize', async () => {
    const db = fixture.freshDb();
    await db.collection<Job>('jobs').insertMany(jobs(25));

    const opened = await db.command({ find: 'jobs', batchSize: 10 });
    expect(opened.cursor.firstBatch).toHaveLength(10);
    expect(Number(opened.cursor.id)).toBeGreaterThan(0);

    const second = await db.command({ getMore: Long.fromNumber(opened.cursor.id), collection: 'jobs', batchSize: 10 });
    expect(second.cursor.nextBatch).toHaveLength(10);
    const third = await db.command({ getMore: Long.fromNumber(opened.cursor.id), collection: 'jobs', batchSize: 10 });
    expect(third.cursor.nextBatch).toHaveLength(5);
    expect(Number(third.cursor.id)).toBe(0);
  });

  it('rejects getMore on a closed cursor', async () => {
    const db = fixture.freshDb();
    await db.collection<Job>('jobs').insertMany(jobs(5));
    const opened = await db.command({ find: 'jobs', batchSize: 1 });
    const cursorId = Long.fromNumber(opened.cursor.id);
    const killed = await db.command({ killCursors: 'jobs', cursors: [cursorId] });
    expect(killed.cursorsKilled).toHaveLength(1);

    await expect(db.command({ getMore: cursorId, collection: 'jobs' })).rejects.toMatchObject({ code: 43 });
  });

  it('applies sort, skip, limit and projection', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertMany(jobs(10));

    const page = await collection.find({ state: 'queued' }, { projection: { _id: 1, runAt: 1 } }).sort({ runAt: -1 }).skip(2).limit(3).toArray();
    expect(page.map((job) => job._id)).toEqual(['job-0007', 'job-0006', 'job-0005']);
    expect(page[0]).not.toHaveProperty('state');
  });

  it('compares dates as dates in range queries', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertMany(jobs(10));
    const due = await collection.find({ runAt: { $lte: new Date(Date.UTC(2026, 0, 1, 0, 0, 3)) } }).toArray();
    expect(due.map((job) => job._id).sort()).toEqual(['job-0000', 'job-0001', 'job-0002', 'job-0003']);
  });

  it('finds nothing in a missing collection', async () => {
    const collection = fixture.freshDb().collection<Job>('missing');
    expect(await collection.find({ state: 'queued' }).toArray()).toEqual([]);
  });

  it('rejects an invalid filter operator', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertOne({ _id: 'a' });
    await expect(collection.find({ state: { $nonsense: 1 } } as object).toArray()).rejects.toMatchObject({ code: 2 });
  });
});

describe('mongo wire server updates', () => {
  const fixture = useWireServer();

  it('inserts with updateOne upsert and $setOnInsert', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    const createdAt = new Date('2026-01-01T00:00:00.000Z');

    const first = await collection.updateOne({ _id: 'a' }, { $set: { state: 'queued' }, $setOnInsert: { createdAt } }, { upsert: true });
    expect(first.upsertedId).toBe('a');
    expect(first.upsertedCount).toBe(1);

    const second = await collection.updateOne(
      { _id: 'a' },
      { $set: { state: 'active' }, $setOnInsert: { createdAt: new Date(0) } },
      { upsert: true },
    );
    expect(second.matchedCount).toBe(1);
    expect(second.modifiedCount).toBe(1);
    expect(second.upsertedCount).toBe(0);
    expect(await collection.findOne({ _id: 'a' })).toEqual({ _id: 'a', state: 'active', createdAt });
  });

  it('seeds an upsert from the filter equality fields', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    const result = await collection.updateOne({ queue: 'emails', state: 'queued' }, { $inc: { attempts: 1 } }, { upsert: true });
    const inserted = await collection.findOne({ _id: result.upsertedId as unknown as string });
    expect(inserted).toMatchObject({ queue: 'emails', state: 'queued', attempts: 1 });
    expect(inserted?._id).toBeInstanceOf(ObjectId);
  });

  it('updates many with $in and a null condition', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertMany(jobs(6).map((job, index) => ({ ...job, sentAt: index === 1 ? new Date() : null })));

    const sentAt = new Date('2026-02-02T00:00:00.000Z');
    const result = await collection.updateMany({ _id: { $in: ['job-0000', 'job-0001', 'job-0002', 'nope'] }, sentAt: null }, { $set: { sentAt } });

    expect(result.matchedCount).toBe(2);
    expect(result.modifiedCount).toBe(2);
    const sent = await collection.find({ sentAt }).toArray();
    expect(sent.map((job) => job._id).sort()).toEqual(['job-0000', 'job-0002']);
  });

  it('counts only changed documents as modified', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertMany([{ _id: 'a', state: 'queued' }, { _id: 'b', state: 'active' }]);
    const result = await collection.updateMany({}, { $set: { state: 'active' } });
    expect(result.matchedCount).toBe(2);
    expect(result.modifiedCount).toBe(1);
  });

  it('applies $inc, $unset and $push with $each and $slice', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertOne({ _id: 'a', attempts: 1, note: 'x', log: ['one', 'two'] });

    await collection.updateOne({ _id: 'a' }, { $inc: { attempts: 2 }, $unset: { note: '' }, $push: { log: { $each: ['three', 'four'], $slice: -3 } } });
    expect(await collection.findOne({ _id: 'a' })).toEqual({ _id: 'a', attempts: 3, log: ['two', 'three', 'four'] });
  });

  it('replaces a document keeping its _id', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertOne({ _id: 'a', state: 'queued', attempts: 3 });
    await collection.replaceOne({ _id: 'a' }, { state: 'done' });
    expect(await collection.findOne({ _id: 'a' })).toEqual({ _id: 'a', state: 'done' });
  });

  it('applies an update pipeline', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertOne({ _id: 'a', attempts: 2 });
    await collection.updateOne({ _id: 'a' }, [{ $set: { attempts: { $add: ['$attempts', 10] } } }]);
    expect(await collection.findOne({ _id: 'a' })).toEqual({ _id: 'a', attempts: 12 });
  });

  it('appends to a bounded array in an update pipeline', async () => {
    const collection = fixture.freshDb().collection<{ _id: string; attempts: number; log?: { n: number; text?: string }[] }>('jobs');
    await collection.insertMany([{ _id: 'a', attempts: 2, log: [{ n: 1 }, { n: 2 }] }, { _id: 'b', attempts: 0 }]);
    const append = { $slice: [{ $concatArrays: [{ $ifNull: ['$log', []] }, [{ n: { $add: ['$attempts', 1] }, text: { $literal: '$attempts' } }]] }, -2] };

    await collection.updateMany({}, [{ $set: { log: append } }]);
    expect(await collection.findOne({ _id: 'a' })).toEqual({ _id: 'a', attempts: 2, log: [{ n: 2 }, { n: 3, text: '$attempts' }] });
    expect(await collection.findOne({ _id: 'b' })).toEqual({ _id: 'b', attempts: 0, log: [{ n: 1, text: '$attempts' }] });
  });

  it('rejects an update that changes _id', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertOne({ _id: 'a' });
    await expect(collection.updateOne({ _id: 'a' }, { $set: { _id: 'b' } })).rejects.toMatchObject({ code: 66 });
    expect(await collection.findOne({ _id: 'a' })).toEqual({ _id: 'a' });
  });

  it('leaves stored documents untouched by returned copies', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertOne({ _id: 'a', log: ['one'] });
    const before = await collection.find({}).toArray();
    await collection.updateOne({ _id: 'a' }, { $push: { log: 'two' } });
    expect(before[0]?.log).toEqual(['one']);
    expect((await collection.findOne({ _id: 'a' }))?.log).toEqual(['one', 'two']);
  });
});

describe('mongo wire server deletes', () => {
  const fixture = useWireServer();

  it('deletes many matching documents', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertMany([...jobs(4, 'emails'), ...jobs(3, 'sms').map((job) => ({ ...job, _id: `sms-${job._id}` }))]);

    const result = await collection.deleteMany({ queue: 'emails' });
    expect(result.deletedCount).toBe(4);
    expect(await collection.countDocuments()).toBe(3);
  });

  it('deletes one matching document', async () => {
    const collection = fixture.freshDb().collection<Job>('jobs');
    await collection.insertMany(jobs(3));
    expect((await collection.deleteOne({ state: 'queued' })).deletedCount).toBe(1);
    expect(await collection.countDocuments()).toBe(2);
  });
});

describe('mongo wire server collections', () => {
  const fixture = useWireServer();

  it('drops a collection and its indexes', async () => {
    const db = fixture.freshDb();
    const collection = db.collection<Job>('jobs');
    await collection.createIndex({ queue: 1 });
    await collection.insertMany(jobs(3));

    expect(await collection.drop()).toBe(true);
    expect(await collection.countDocuments()).toBe(0);
    expect((await db.listCollections().toArray()).map((info) => info.name)).toEqual([]);
    await expect(collection.listIndexes().toArray()).rejects.toMatchObject({ codeName: 'NamespaceNotFound' });
  });

  it('creates collections and lists them by name', async () => {
    const db = fixture.freshDb();
    await db.createCollection('jobs');
    await db.collection('events').insertOne({ kind: 'x' });

    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((info) => info.name).sort();
    expect(names).toEqual(['events', 'jobs']);
    const filtered = await db.listCollections({ name: 'jobs' }).toArray();
    expect(filtered.map((info) => info.name)).toEqual(['jobs']);
    await expect(db.createCollection('jobs')).rejects.toMatchObject({ codeName: 'NamespaceExists' });
  });

  it('drops a database', async () => {
    const db = fixture.freshDb();
    await db.collection('jobs').insertOne({ a: 1 });
    expect(await db.dropDatabase()).toBe(true);
    expect(await db.listCollections().toArray()).toEqual([]);
  });

  it('rejects an unsupported create option', async () => {
    const db = fixture.freshDb();
    await expect(db.createCollection('capped', { capped: true, size: 1024 })).rejects.toThrow("create option 'capped' is not supported");
  });
});
