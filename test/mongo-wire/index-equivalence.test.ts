/**
 * The same documents in two collections, one with Sluice's indexes and one without: every query
 * must return the same documents from both, before and after updates and deletes, so the
 * index-backed plans never lose a match.
 */
import type { Collection, Document, Filter, Sort } from 'mongodb';
import { useWireServer } from './wire-server';

interface Job {
  _id: string;
  queue: string;
  state: string;
  outbox?: boolean;
  runAt?: Date | null | number;
  sentAt?: Date | null;
  leaseExpiresAt?: Date;
  dispatchToken?: string;
  tags?: string[] | string;
}

const STATES = ['queued', 'delayed', 'active', 'completed', 'dead'];
const BASE = Date.UTC(2026, 0, 1);

function pseudoRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function makeJobs(count: number): Job[] {
  const random = pseudoRandom(7);
  return Array.from({ length: count }, (_, index) => {
    const job: Job = {
      _id: `job-${index}`,
      queue: `q${Math.floor(random() * 4)}`,
      state: STATES[Math.floor(random() * STATES.length)]!,
      // Unique run times keep sorted, limited reads deterministic.
      runAt: new Date(BASE + index * 1_000 + Math.floor(random() * 999)),
    };
    const shape = random();
    if (shape < 0.05) delete job.runAt;
    else if (shape < 0.1) job.runAt = null;
    else if (shape < 0.13) job.runAt = index;
    if (random() < 0.3) job.outbox = random() < 0.5;
    if (random() < 0.5) job.sentAt = random() < 0.5 ? null : new Date(BASE + index * 500);
    if (job.state === 'active') job.leaseExpiresAt = new Date(BASE + Math.floor(random() * count) * 1_000);
    if (random() < 0.2) job.dispatchToken = `token-${Math.floor(random() * 10)}`;
    if (random() < 0.1) job.tags = ['a', 'b'];
    return job;
  });
}

interface Probe {
  filter: Filter<Job>;
  sort?: Sort;
  limit?: number;
}

function probes(): Probe[] {
  const at = (seconds: number) => new Date(BASE + seconds * 1_000);
  return [
    { filter: { _id: 'job-5', state: 'queued' } },
    { filter: { _id: { $in: ['job-1', 'job-2', 'job-3', 'nope'] }, sentAt: null } },
    { filter: { outbox: true, runAt: { $lte: at(400) } }, sort: { runAt: 1 }, limit: 10 },
    { filter: { outbox: true, runAt: { $lte: at(400) } }, sort: { runAt: 1 } },
    { filter: { state: { $in: ['queued', 'delayed'] }, runAt: { $lte: at(300) }, sentAt: { $lte: at(200) } } },
    { filter: { state: 'active', leaseExpiresAt: { $lt: at(250) } } },
    { filter: { dispatchToken: 'token-3' } },
    { filter: { queue: 'q1' } },
    { filter: { queue: 'q2', state: { $in: ['dead', 'completed'] } } },
    { filter: { state: 'queued', runAt: null } },
    { filter: { state: 'queued', runAt: { $gt: 50 } } },
    { filter: { state: 'delayed', runAt: { $gte: at(100), $lt: at(200) } } },
    { filter: { $and: [{ state: 'queued' }, { runAt: { $lte: at(100) } }] } },
    { filter: { state: 'queued', runAt: { $gte: at(0) } }, sort: { runAt: 1 }, limit: 5 },
    { filter: { outbox: { $exists: true }, runAt: { $type: 'date' } }, sort: { outbox: 1, runAt: 1 }, limit: 7 },
    { filter: { tags: 'a' } },
    { filter: { tags: ['a', 'b'], state: 'queued' } },
  ];
}

async function matchingIds(collection: Collection<Job>, probe: Probe): Promise<string[]> {
  let cursor = collection.find(probe.filter);
  if (probe.sort !== undefined) cursor = cursor.sort(probe.sort);
  if (probe.limit !== undefined) cursor = cursor.limit(probe.limit);
  const ids = (await cursor.toArray()).map((job) => job._id);
  return probe.sort === undefined ? ids.sort() : ids;
}

async function expectSameResults(indexed: Collection<Job>, plain: Collection<Job>): Promise<void> {
  for (const probe of probes()) {
    const expected = await matchingIds(plain, probe);
    const actual = await matchingIds(indexed, probe);
    expect({ probe: JSON.stringify(probe), ids: actual }).toEqual({ probe: JSON.stringify(probe), ids: expected });
  }
  const groups = [{ $match: { queue: 'q3' } }, { $group: { _id: '$state', count: { $sum: 1 } } }, { $sort: { _id: 1 } }];
  expect(await indexed.aggregate<Document>(groups).toArray()).toEqual(await plain.aggregate<Document>(groups).toArray());
}

describe('mongo wire server index-backed queries', () => {
  const fixture = useWireServer();

  it('match a collection scan before and after writes', async () => {
    const db = fixture.freshDb();
    const indexed = db.collection<Job>('indexed');
    const plain = db.collection<Job>('plain');
    await indexed.createIndexes([
      { key: { outbox: 1, runAt: 1 } },
      { key: { state: 1, runAt: 1 } },
      { key: { state: 1, leaseExpiresAt: 1 } },
      { key: { dispatchToken: 1 } },
      { key: { queue: 1, state: 1 } },
      // Array values sit outside the ordered entries; queries must still find them.
      { key: { tags: 1 } },
    ]);
    const jobs = makeJobs(600);
    await indexed.insertMany(jobs);
    await plain.insertMany(jobs);

    await expectSameResults(indexed, plain);

    for (const collection of [indexed, plain]) {
      await collection.updateMany({ state: 'queued', queue: 'q1' }, { $set: { state: 'active', leaseExpiresAt: new Date(BASE) } });
      await collection.updateMany({ outbox: true, runAt: { $lte: new Date(BASE + 200_000) } }, { $set: { outbox: false } });
      await collection.updateMany({ dispatchToken: 'token-3' }, { $unset: { dispatchToken: '' }, $set: { state: 'delayed' } });
      await collection.deleteMany({ state: 'dead', queue: 'q2' });
      await collection.updateMany({ queue: 'q0', state: 'completed' }, { $set: { tags: ['a'] } });
      await collection.updateMany({ tags: 'b' }, { $set: { tags: 'b' } });
    }

    await expectSameResults(indexed, plain);
  });
});
