import { IDEMPOTENCY_COLLECTION, idempotencyCollection } from '../idempotency/idempotency-store';
import type { Collection, Db, IndexDescription } from 'mongodb';
import { ConfigError } from '../errors';
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

/** Collections sharded on a mongos, each on {@link SHARD_KEY}. */
const SHARDED_COLLECTIONS = [JOBS_COLLECTION, IDEMPOTENCY_COLLECTION];
/**
 * Shard key of the sharded collections. A hashed `_id` spreads inserts evenly over the shards, and
 * single-document operations filter on `_id` by equality, so a mongos routes each to one shard.
 */
export const SHARD_KEY = { _id: 'hashed' } as const;

/**
 * Enables sharding on the database and shards each of {@link SHARDED_COLLECTIONS} on
 * {@link SHARD_KEY}. The hashed index is created first, which `shardCollection` requires when a
 * collection already has documents. Re-running is a no-op: MongoDB accepts `enableSharding` and
 * `shardCollection` again with the same key. Throws {@link ConfigError} naming the collection when
 * a collection is sharded on another key.
 */
async function shardCollections(db: Db): Promise<void> {
  for (const name of SHARDED_COLLECTIONS) {
    await db.collection(name).createIndex(SHARD_KEY, { name: '_id_hashed' });
  }
  await db.admin().command({ enableSharding: db.databaseName });
  for (const name of SHARDED_COLLECTIONS) {
    const namespace = `${db.databaseName}.${name}`;
    try {
      await db.admin().command({ shardCollection: namespace, key: SHARD_KEY });
    } catch (error) {
      throw new ConfigError(
        `shardCollection ${namespace} on { _id: "hashed" } failed: ${(error as Error).message}; a collection sharded on another key must be resharded with reshardCollection or dropped first`,
        { setting: namespace, operation: 'shardCollection', cause: error },
      );
    }
  }
}

/**
 * Creates the collections' indexes. On a mongos (`hello` returns `msg: "isdbgrid"`) it also shards
 * the jobs and idempotency-key collections on a hashed `_id`. Running it again changes nothing:
 * creating an existing index with the same options is a no-op, and so is sharding again with the
 * same key. Throws when an index of the same name exists with other options (MongoDB's
 * IndexOptionsConflict or IndexKeySpecsConflict) or a collection is sharded on another key.
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
  await shardCollections(db);
  return { sharded: true };
}
