import type { Document } from 'bson';
import { parseIndexSpec } from '../../localstack/mongo-wire/store/index-spec';
import { planQuery } from '../../localstack/mongo-wire/store/query-plan';
import { SecondaryIndex, type FieldRange } from '../../localstack/mongo-wire/store/secondary-index';
import { SortedList } from '../../localstack/mongo-wire/store/sorted-list';

function index(key: Document, options: Document = {}): SecondaryIndex {
  return new SecondaryIndex(parseIndexSpec({ key, ...options }));
}

/** The indexes Sluice declares on its jobs collection. */
const JOB_INDEXES = [
  index({ outbox: 1, runAt: 1 }),
  index({ state: 1, runAt: 1 }),
  index({ state: 1, leaseExpiresAt: 1 }),
  index({ dispatchToken: 1 }),
  index({ queue: 1, state: 1 }),
];

function chosenIndex(filter: Document, sort?: Document, limited = false): string {
  const plan = planQuery(filter, sort, JOB_INDEXES, limited);
  return plan.kind === 'index' ? plan.index.spec.name : plan.kind;
}

describe('query planner', () => {
  const now = new Date('2026-05-01T00:00:00.000Z');

  it('reads _id equality and $in from the _id map', () => {
    expect(chosenIndex({ _id: 'job-1', state: 'active', leaseToken: 't' })).toBe('ids');
    expect(chosenIndex({ _id: { $in: ['a', 'b'] }, sentAt: null })).toBe('ids');
  });

  it('reads the outbox sweep in index order', () => {
    const plan = planQuery({ outbox: true, runAt: { $lte: now } }, { runAt: 1 }, JOB_INDEXES, true);
    expect(plan).toMatchObject({ kind: 'index', prefixes: [[true]], sorted: true });
    expect(chosenIndex({ outbox: true, runAt: { $lte: now } }, { runAt: 1 }, true)).toBe('outbox_1_runAt_1');
  });

  it('picks the index covering equality and range', () => {
    expect(chosenIndex({ state: { $in: ['queued', 'delayed'] }, runAt: { $lte: now }, sentAt: { $lte: now } })).toBe('state_1_runAt_1');
    expect(chosenIndex({ state: 'active', leaseExpiresAt: { $lt: now } })).toBe('state_1_leaseExpiresAt_1');
    expect(chosenIndex({ dispatchToken: 'token-1' })).toBe('dispatchToken_1');
    expect(chosenIndex({ queue: 'emails' })).toBe('queue_1_state_1');
  });

  it('reads recently finished jobs of a queue by finishedAt', () => {
    const indexes = [...JOB_INDEXES, index({ queue: 1, state: 1, finishedAt: -1, _id: -1 })];
    const filter = { queue: 'emails', state: { $in: ['completed', 'dead'] }, finishedAt: { $gte: now } };
    const plan = planQuery(filter, undefined, indexes, false);
    expect(plan).toMatchObject({ kind: 'index', prefixes: [['emails', 'completed'], ['emails', 'dead']] });
    expect(plan.kind === 'index' && plan.index.spec.name).toBe('queue_1_state_1_finishedAt_-1__id_-1');
    expect(plan.kind === 'index' && plan.range).toBeDefined();
  });

  it('finds conditions inside $and', () => {
    expect(chosenIndex({ $and: [{ dispatchToken: 'token-1' }, { attempts: { $gt: 1 } }] })).toBe('dispatchToken_1');
  });

  it('prefers an index whose whole key is fixed on a tie', () => {
    expect(chosenIndex({ state: 'queued', dispatchToken: 'token-1' })).toBe('dispatchToken_1');
  });

  it('scans when no index applies', () => {
    expect(chosenIndex({ attempts: { $gt: 3 } })).toBe('collectionScan');
    expect(chosenIndex({ state: { $ne: 'done' } })).toBe('collectionScan');
    expect(chosenIndex({ dispatchToken: /^tok/ })).toBe('collectionScan');
  });

  it('uses an index only for sort when a limit lets it stop early', () => {
    expect(chosenIndex({}, { outbox: 1, runAt: 1 }, true)).toBe('outbox_1_runAt_1');
    expect(chosenIndex({}, { outbox: 1, runAt: 1 }, false)).toBe('collectionScan');
  });

  it('skips sparse, partial and hidden indexes', () => {
    const indexes = [
      index({ email: 1 }, { sparse: true }),
      index({ tenant: 1 }, { partialFilterExpression: { active: true } }),
      index({ region: 1 }, { hidden: true }),
    ];
    expect(planQuery({ email: null }, undefined, indexes, false).kind).toBe('collectionScan');
    expect(planQuery({ tenant: 't' }, undefined, indexes, false).kind).toBe('collectionScan');
    expect(planQuery({ region: 'eu' }, undefined, indexes, false).kind).toBe('collectionScan');
  });
});

describe('secondary index scan', () => {
  function scanIds(target: SecondaryIndex, prefix: unknown[], range: FieldRange | undefined): string[] {
    const ids: string[] = [];
    target.scan(prefix, range, (id) => {
      ids.push(id);
      return true;
    });
    return ids;
  }

  it('scans a range within type bracketing', () => {
    const byRunAt = index({ state: 1, runAt: 1 });
    byRunAt.add('s:a', { state: 'queued', runAt: new Date(1000) });
    byRunAt.add('s:b', { state: 'queued', runAt: new Date(3000) });
    byRunAt.add('s:c', { state: 'queued', runAt: 2000 });
    byRunAt.add('s:d', { state: 'queued' });
    byRunAt.add('s:e', { state: 'active', runAt: new Date(500) });

    const plan = planQuery({ state: 'queued', runAt: { $lt: new Date(3000) } }, undefined, [byRunAt], false);
    expect(plan.kind).toBe('index');
    if (plan.kind !== 'index') return;
    expect(scanIds(byRunAt, ['queued'], plan.range)).toEqual(['s:a']);
    expect(scanIds(byRunAt, ['queued'], undefined)).toEqual(['s:d', 's:c', 's:a', 's:b']);
  });

  it('scans a descending field from the upper bound', () => {
    const byRunAt = index({ runAt: -1 });
    for (let second = 1; second <= 5; second += 1) byRunAt.add(`s:${second}`, { runAt: new Date(second * 1000) });
    const plan = planQuery({ runAt: { $gt: new Date(1000), $lte: new Date(4000) } }, undefined, [byRunAt], false);
    if (plan.kind !== 'index') throw new Error(`expected an index plan, got ${plan.kind}`);
    expect(scanIds(byRunAt, [], plan.range)).toEqual(['s:4', 's:3', 's:2']);
  });

  it('keeps array and object keys apart as unordered candidates', () => {
    const byTags = index({ tags: 1 });
    byTags.add('s:a', { tags: ['x', 'y'] });
    byTags.add('s:b', { tags: 'x' });
    expect([...byTags.unorderedIds]).toEqual(['s:a']);
    expect(scanIds(byTags, ['x'], undefined)).toEqual(['s:b']);
    byTags.remove('s:a');
    expect(byTags.unorderedIds.size).toBe(0);
  });
});

describe('sorted list', () => {
  it('matches a sorted array under random inserts and deletes', () => {
    const list = new SortedList<number>((a, b) => a - b);
    const reference: number[] = [];
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };

    for (let step = 0; step < 20_000; step += 1) {
      const value = Math.floor(random() * 5_000);
      if (random() < 0.3 && reference.length > 0) {
        const victim = reference[Math.floor(random() * reference.length)]!;
        expect(list.delete(victim)).toBe(true);
        reference.splice(reference.indexOf(victim), 1);
      } else {
        list.insert(value);
        reference.push(value);
      }
    }
    reference.sort((a, b) => a - b);

    expect([...list]).toEqual(reference);
    expect(list.size).toBe(reference.length);
    const fromMiddle: number[] = [];
    list.forEachFrom(2_500, (value) => {
      fromMiddle.push(value);
      return fromMiddle.length < 10;
    });
    expect(fromMiddle).toEqual(reference.filter((value) => value >= 2_500).slice(0, 10));
    expect(list.delete(-1)).toBe(false);
  });
});
