import { IDEMPOTENCY_COLLECTION, idempotencyCollection } from '../idempotency/idempotency-store';
import type { Collection, Db, IndexDescription } from 'mongodb';
import type { JobDocument } from '../jobs/job';
import type { ScheduleDocument } from '../schedules/schedule';

export const JOBS_COLLECTION = 'jobs';
export const SCHEDULES_COLLECTION = 'schedules';

/**
 * Indexes of the jobs collection, one per query Sluice makes besides `_id` lookups.
 * None is unique: a sharded collection enforces uniqueness only through its shard key.
 */
const JOB_INDEXES: IndexDescription[] = [
  // dispatch: jobs no message carries yet, by due time
  { key: { outbox: 1, runAt: 1 }, name: 'outbox_runAt' },
  // dispatch: ready jobs whose message may have been lost
  { key: { state: 1, runAt: 1 }, name: 'state_runAt' },
  // dispatch: the jobs one run claimed
  { key: { dispatchToken: 1 }, name: 'dispatchToken', sparse: true },
  // stats: counts by state per queue
  { key: { queue: 1, state: 1 }, name: 'queue_state' },
  // dispatch: active jobs whose lease expired
  { key: { state: 1, leaseExpiresAt: 1 }, name: 'state_leaseExpiresAt' },
  // listing: a queue's finished jobs of one state, newest first, in cursor order
  { key: { queue: 1, state: 1, finishedAt: -1, _id: -1 }, name: 'queue_state_finishedAt' },
  // listing: a queue's jobs updated after a time, oldest update first, in cursor order (the CLI's tail)
  { key: { queue: 1, updatedAt: 1, _id: 1 }, name: 'queue_updatedAt' },
  // retention: MongoDB's TTL monitor deletes a finished job once its expiresAt passes (it runs every 60 s)
  { key: { expiresAt: 1 }, name: 'expiresAt_ttl', expireAfterSeconds: 0 },
];

/** Indexes of the schedules collection. */
const SCHEDULE_INDEXES: IndexDescription[] = [
  // dispatch: active schedules with a slot due within the lookahead
  { key: { paused: 1, nextSlotAt: 1 }, name: 'paused_nextSlotAt' },
];

export function jobsCollection(db: Db): Collection<JobDocument> {
  return db.collection<JobDocument>(JOBS_COLLECTION);
}

export function schedulesCollection(db: Db): Collection<ScheduleDocument> {
  return db.collection<ScheduleDocument>(SCHEDULES_COLLECTION);
}

/**
 * Creates the collections' indexes (idempotent). On a mongos (`hello` returns `msg: "isdbgrid"`) it
 * also shards the jobs and idempotency-key collections on a hashed `_id`, so single-document
 * operations route to one shard.
 */
export async function prepareDatabase(db: Db): Promise<{ sharded: boolean }> {
  await jobsCollection(db).createIndexes(JOB_INDEXES);
  await schedulesCollection(db).createIndexes(SCHEDULE_INDEXES);
  // MongoDB's TTL monitor deletes each key when its window ends (it runs every 60 s).
  await idempotencyCollection(db).createIndexes([{ key: { expiresAt: 1 }, name: 'expiresAt_ttl', expireAfterSeconds: 0 }]);
  const hello = await db.admin().command({ hello: 1 });
  if (hello.msg !== 'isdbgrid') {
    return { sharded: false };
  }
  await db.admin().command({ enableSharding: db.databaseName });
  await db.admin().command({ shardCollection: `${db.databaseName}.${JOBS_COLLECTION}`, key: { _id: 'hashed' } });
  // The key is the shard key too, so a mongos routes every write of one key to one shard and
  // the `_id` unique index is enforced across shards.
  await db.admin().command({ shardCollection: `${db.databaseName}.${IDEMPOTENCY_COLLECTION}`, key: { _id: 'hashed' } });
  return { sharded: true };
}
