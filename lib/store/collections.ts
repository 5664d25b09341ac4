import databasePlan from './database-plan.json';
import type { Collection, Db, IndexDescription } from 'mongodb';
import { ConfigError } from '../errors';
import type { JobDocument } from '../jobs/job';
import type { ScheduleDocument } from '../schedules/schedule';

export const JOBS_COLLECTION = 'jobs';
export const SCHEDULES_COLLECTION = 'schedules';

/** One collection's part of database-plan.json. */
interface CollectionPlan {
  indexes: (IndexDescription & { purpose: string; name: string })[];
  /** Shard key on a mongos; the collection stays unsharded when absent. */
  shardKey?: Record<string, 1 | 'hashed'>;
}

/**
 * Indexes and shard keys of every collection, one index per query Sluice makes besides `_id`
 * lookups. The Docker Compose init container applies the same file.
 */
const DATABASE_PLAN = databasePlan.collections as unknown as Record<string, CollectionPlan>;

export function jobsCollection(db: Db): Collection<JobDocument> {
  return db.collection<JobDocument>(JOBS_COLLECTION);
}

export function schedulesCollection(db: Db): Collection<ScheduleDocument> {
  return db.collection<ScheduleDocument>(SCHEDULES_COLLECTION);
}

/**
 * Enables sharding on the database and shards each collection of the plan that has a shard key:
 * jobs and idempotency keys, on a hashed `_id`. Inserts spread evenly over the shards, and
 * single-document operations filter on `_id` by equality, so a mongos routes each to one shard.
 * The shard key index is created first, which `shardCollection` requires when a collection
 * already has documents. Re-running is a no-op: a mongos returns ok for `enableSharding` on a
 * sharded database and for `shardCollection` with the collection's current key (MongoDB server
 * ticket SERVER-32619, 4.0 and later). Throws {@link ConfigError} naming the collection when a
 * collection is sharded on another key.
 */
async function shardCollections(db: Db): Promise<void> {
  const sharded = Object.entries(DATABASE_PLAN).flatMap(([name, plan]) => (plan.shardKey ? [{ name, key: plan.shardKey }] : []));
  for (const { name, key } of sharded) {
    await db.collection(name).createIndex(key, { name: Object.entries(key).map(([field, kind]) => `${field}_${kind}`).join('_') });
  }
  await db.admin().command({ enableSharding: db.databaseName });
  for (const { name, key } of sharded) {
    const namespace = `${db.databaseName}.${name}`;
    try {
      await db.admin().command({ shardCollection: namespace, key });
    } catch (error) {
      throw new ConfigError(
        `shardCollection ${namespace} on ${JSON.stringify(key)} failed: ${(error as Error).message}; a collection sharded on another key must be resharded with reshardCollection or dropped first`,
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
  for (const [name, plan] of Object.entries(DATABASE_PLAN)) {
    await db.collection(name).createIndexes(plan.indexes.map(({ purpose: _purpose, ...index }) => index));
  }
  const hello = await db.admin().command({ hello: 1 });
  if (hello.msg !== 'isdbgrid') {
    return { sharded: false };
  }
  await shardCollections(db);
  return { sharded: true };
}
