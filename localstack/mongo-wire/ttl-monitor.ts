/**
 * TTL indexes: deletes documents whose indexed date is older than `expireAfterSeconds`, as
 * MongoDB's TTL monitor does every 60 s (here the interval is an option). A document whose
 * field is an array of dates expires with its earliest date. A document whose field is not a
 * date never expires.
 */
import type { Document } from 'bson';
import { KeyBound, TypeRank } from './store/bson-order';
import type { Catalog } from './store/catalog';
import type { Collection } from './store/collection';
import { readFieldPath } from './store/field-path';
import type { SecondaryIndex } from './store/secondary-index';

function earliestDate(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (!Array.isArray(value)) return undefined;
  const times = value.filter((item): item is Date => item instanceof Date).map((date) => date.getTime());
  return times.length === 0 ? undefined : Math.min(...times);
}

function expiredDocuments(collection: Collection, index: SecondaryIndex, cutoff: Date): Document[] {
  const expired: Document[] = [];
  const dates = { lower: new KeyBound(TypeRank.date, -1), lowerInclusive: true, upper: cutoff, upperInclusive: true };
  index.scan([], dates, (id) => {
    expired.push(collection.get(id)!);
    return true;
  });

  const path = index.spec.fields[0]!.path;
  for (const id of index.unorderedIds) {
    const document = collection.get(id)!;
    const earliest = earliestDate(readFieldPath(document, path));
    if (earliest !== undefined && earliest <= cutoff.getTime()) expired.push(document);
  }
  return expired;
}

/** Deletes every expired document of every TTL index; returns how many were deleted. */
export function sweepExpiredDocuments(catalog: Catalog, now: number): number {
  let deleted = 0;
  for (const collection of catalog.all()) {
    for (const index of collection.secondaryIndexes()) {
      const seconds = index.spec.expireAfterSeconds;
      if (seconds === undefined) continue;
      // Collect first: deleting while the index scan runs would change the list under it.
      for (const document of expiredDocuments(collection, index, new Date(now - seconds * 1000))) {
        if (collection.remove(document)) deleted += 1;
      }
    }
  }
  return deleted;
}
