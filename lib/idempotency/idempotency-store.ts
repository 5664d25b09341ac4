import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '../store/errors';

export const IDEMPOTENCY_COLLECTION = 'idempotencyKeys';

/**
 * One idempotency key. `_id` is `<queue>:<key>`: a sharded collection enforces uniqueness only
 * through its shard key, so the key itself is the `_id` (and the shard key) of its own collection.
 */
export interface IdempotencyRecord {
  _id: string;
  jobId: string;
  /** SHA-256 of the request that first used the key; a different request with the key is rejected. */
  requestHash: string;
  createdAt: Date;
  /** End of the window; a TTL index deletes the record after it. */
  expiresAt: Date;
}

export function idempotencyCollection(db: Db): Collection<IdempotencyRecord> {
  return db.collection<IdempotencyRecord>(IDEMPOTENCY_COLLECTION);
}

export type KeyClaim = { owned: true } | { owned: false; record: IdempotencyRecord };

/**
 * Claims an idempotency key for a new job by inserting its record. Exactly one of any number of
 * concurrent claims inserts it and owns the key; the others get the stored record. A record past
 * its window that the TTL monitor has not deleted yet (it runs every 60 s) is replaced.
 */
export async function claimIdempotencyKey(keys: Collection<IdempotencyRecord>, record: IdempotencyRecord): Promise<KeyClaim> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await keys.insertOne(record);
      return { owned: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) {
        throw error;
      }
    }
    const existing = await keys.findOne({ _id: record._id });
    if (existing && existing.expiresAt.getTime() > record.createdAt.getTime()) {
      return { owned: false, record: existing };
    }
    // Expired (or deleted meanwhile): remove it only if it is still the expired one, then try again.
    await keys.deleteOne({ _id: record._id, expiresAt: { $lte: record.createdAt } });
  }
  const existing = await keys.findOne({ _id: record._id });
  if (!existing) {
    throw new Error(`idempotency key ${record._id} could not be claimed or read`);
  }
  return { owned: false, record: existing };
}
