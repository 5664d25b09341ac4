import type { Document } from 'bson';
import { MongoClient } from 'mongodb';
import { useWireServer } from './wire-server';

describe('mongo wire server fault hooks', () => {
  const fixture = useWireServer();

  it('dropAllConnections closes every client connection', async () => {
    const second = new MongoClient(fixture.server.uri, { serverSelectionTimeoutMS: 5_000 });
    try {
      await second.db('admin').command({ ping: 1 });
      await fixture.client.db('admin').command({ ping: 1 });
      const closedEvents: string[] = [];
      second.on('connectionClosed', (event) => closedEvents.push(event.reason));

      const dropped = fixture.server.dropAllConnections();

      // Each client holds a monitoring connection and at least one pooled connection.
      expect(dropped).toBeGreaterThanOrEqual(4);
      await expect(second.db('admin').command({ ping: 1 }, { timeoutMS: 100 })).rejects.toThrow();
      expect(closedEvents.length).toBeGreaterThanOrEqual(1);
    } finally {
      await second.close();
    }
  });

  it('dropAllConnections lets clients reconnect', async () => {
    const jobs = fixture.freshDb().collection<{ _id: string; n: number }>('jobs');
    await jobs.insertOne({ _id: 'a', n: 1 });

    fixture.server.dropAllConnections();

    // The driver marks the pool cleared on the network error and reconnects on a later command.
    let reply: { _id: string; n: number } | null = null;
    const deadline = Date.now() + 10_000;
    while (reply === null && Date.now() < deadline) {
      reply = await jobs.findOne({ _id: 'a' }).catch(() => null);
    }
    expect(reply).toEqual({ _id: 'a', n: 1 });
  });

  it('watchUpdates reports each update with both versions', async () => {
    const db = fixture.freshDb();
    const jobs = db.collection<{ _id: string; state: string }>('jobs');
    await jobs.insertMany([
      { _id: 'a', state: 'queued' },
      { _id: 'b', state: 'queued' },
    ]);
    const seen: { namespace: string; before: Document; after: Document }[] = [];
    const unwatch = fixture.server.watchUpdates((namespace, before, after) => seen.push({ namespace, before, after }));

    await jobs.updateOne({ _id: 'a' }, { $set: { state: 'active' } });
    await jobs.findOneAndUpdate({ _id: 'b' }, { $set: { state: 'completed' } });
    await jobs.updateOne({ _id: 'missing' }, { $set: { state: 'active' } });
    unwatch();
    await jobs.updateOne({ _id: 'a' }, { $set: { state: 'completed' } });

    expect(seen.map((change) => [change.namespace, change.before.state, change.after.state, change.after._id])).toEqual([
      [`${db.databaseName}.jobs`, 'queued', 'active', 'a'],
      [`${db.databaseName}.jobs`, 'queued', 'completed', 'b'],
    ]);
  });
});
