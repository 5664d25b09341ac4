import { useWireServer } from './wire-server';

interface Job {
  _id: string;
  queue: string;
  state: string;
  attempts: number;
}

const SAMPLE: Job[] = [
  { _id: 'j1', queue: 'emails', state: 'queued', attempts: 0 },
  { _id: 'j2', queue: 'emails', state: 'queued', attempts: 1 },
  { _id: 'j3', queue: 'emails', state: 'active', attempts: 2 },
  { _id: 'j4', queue: 'emails', state: 'dead', attempts: 5 },
  { _id: 'j5', queue: 'sms', state: 'queued', attempts: 0 },
];

describe('mongo wire server aggregate', () => {
  const fixture = useWireServer();

  it('groups counts by state for one queue', async () => {
    const jobs = fixture.freshDb().collection<Job>('jobs');
    await jobs.createIndex({ queue: 1, state: 1 });
    await jobs.insertMany(SAMPLE);

    const counts = await jobs
      .aggregate<{ _id: string; count: number }>([{ $match: { queue: 'emails' } }, { $group: { _id: '$state', count: { $sum: 1 } } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(counts).toEqual([
      { _id: 'active', count: 1 },
      { _id: 'dead', count: 1 },
      { _id: 'queued', count: 2 },
    ]);
  });

  it('groups missing fields under null and sums constants', async () => {
    const events = fixture.freshDb().collection<{ _id: number; kind?: string; meta?: { source: string } }>('events');
    await events.insertMany([
      { _id: 1, kind: 'a', meta: { source: 'api' } },
      { _id: 2, kind: 'a', meta: { source: 'cron' } },
      { _id: 3, meta: { source: 'api' } },
    ]);

    const byKind = await events.aggregate([{ $group: { _id: '$kind', total: { $sum: 2 }, count: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    expect(byKind).toEqual([
      { _id: null, total: 2, count: 1 },
      { _id: 'a', total: 4, count: 2 },
    ]);
    const bySource = await events.aggregate([{ $group: { _id: '$meta.source', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    expect(bySource).toEqual([
      { _id: 'api', n: 2 },
      { _id: 'cron', n: 1 },
    ]);
  });

  it('groups by array and document keys', async () => {
    const events = fixture.freshDb().collection<{ _id: number; tags: string[] }>('events');
    await events.insertMany([
      { _id: 1, tags: ['x', 'y'] },
      { _id: 2, tags: ['x', 'y'] },
      { _id: 3, tags: ['z'] },
    ]);
    const groups = await events.aggregate([{ $group: { _id: '$tags', n: { $sum: 1 } } }, { $sort: { n: -1 } }]).toArray();
    expect(groups).toEqual([
      { _id: ['x', 'y'], n: 2 },
      { _id: ['z'], n: 1 },
    ]);
  });

  it('counts documents with countDocuments', async () => {
    const jobs = fixture.freshDb().collection<Job>('jobs');
    await jobs.insertMany(SAMPLE);
    expect(await jobs.countDocuments({ state: 'queued' })).toBe(3);
    expect(await jobs.countDocuments({ state: 'queued' }, { skip: 1, limit: 1 })).toBe(1);
    expect(await jobs.countDocuments({ state: 'missing' })).toBe(0);
    expect(await jobs.estimatedDocumentCount()).toBe(5);
  });

  it('runs $project, $sort, $limit and $count', async () => {
    const jobs = fixture.freshDb().collection<Job>('jobs');
    await jobs.insertMany(SAMPLE);

    const top = await jobs.aggregate([{ $sort: { attempts: -1 } }, { $limit: 2 }, { $project: { _id: 0, attempts: 1 } }]).toArray();
    expect(top).toEqual([{ attempts: 5 }, { attempts: 2 }]);
    const counted = await jobs.aggregate([{ $match: { attempts: { $gte: 1 } } }, { $count: 'retried' }]).toArray();
    expect(counted).toEqual([{ retried: 3 }]);
  });

  it('leaves stored documents unchanged by $addFields', async () => {
    const jobs = fixture.freshDb().collection<Job & { meta?: { seen?: boolean } }>('jobs');
    await jobs.insertOne({ _id: 'j1', queue: 'q', state: 'queued', attempts: 0, meta: {} });
    await jobs.aggregate([{ $addFields: { 'meta.seen': true } }]).toArray();
    expect(await jobs.findOne({ _id: 'j1' })).toEqual({ _id: 'j1', queue: 'q', state: 'queued', attempts: 0, meta: {} });
  });

  it('pages aggregate results through getMore', async () => {
    const jobs = fixture.freshDb().collection<Job>('jobs');
    await jobs.insertMany(Array.from({ length: 30 }, (_, index) => ({ _id: `j${index}`, queue: 'q', state: 'queued', attempts: index })));
    const all = await jobs.aggregate([{ $match: { queue: 'q' } }], { batchSize: 7 }).toArray();
    expect(all).toHaveLength(30);
  });

  it('rejects stages that read other collections', async () => {
    const jobs = fixture.freshDb().collection<Job>('jobs');
    await jobs.insertOne(SAMPLE[0]!);
    await expect(jobs.aggregate([{ $out: 'copy' }]).toArray()).rejects.toThrow('aggregation stage $out is not supported');
  });
});
