import type { Collection } from 'mongodb';
import { useWireServer } from './wire-server';

interface Session {
  _id: string;
  expiresAt?: Date | Date[] | string;
}

/** Polls until the collection contains `expected` documents; the jest timeout bounds the wait. */
async function waitForCount(collection: Collection<Session>, expected: number): Promise<void> {
  while ((await collection.countDocuments()) !== expected) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('mongo wire server TTL indexes', () => {
  const fixture = useWireServer({ ttlIntervalMs: 50 });

  it('deletes expired documents on its sweep', async () => {
    const sessions = fixture.freshDb().collection<Session>('sessions');
    await sessions.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 3_600_000);
    await sessions.insertMany([
      { _id: 'expired', expiresAt: past },
      { _id: 'live', expiresAt: future },
      { _id: 'expired-array', expiresAt: [future, past] },
      { _id: 'not-a-date', expiresAt: 'yesterday' },
      { _id: 'no-field' },
    ]);

    await waitForCount(sessions, 3);
    const remaining = (await sessions.find().toArray()).map((session) => session._id).sort();
    expect(remaining).toEqual(['live', 'no-field', 'not-a-date']);
  });

  it('adds expireAfterSeconds to the indexed date', async () => {
    const sessions = fixture.freshDb().collection<Session>('sessions');
    await sessions.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 3600 });
    await sessions.insertMany([
      { _id: 'two-hours-old', expiresAt: new Date(Date.now() - 2 * 3_600_000) },
      { _id: 'one-minute-old', expiresAt: new Date(Date.now() - 60_000) },
    ]);

    expect(fixture.server.sweepExpired()).toBe(1);
    expect(await sessions.find().toArray()).toEqual([{ _id: 'one-minute-old', expiresAt: expect.any(Date) }]);
  });
});
