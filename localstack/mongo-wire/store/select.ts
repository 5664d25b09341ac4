/**
 * Reads the documents that match a filter: candidates come from the query plan, mingo applies
 * the full filter, sort, skip and limit. Returned documents are the stored objects themselves,
 * which nothing changes in place, so callers may hold on to them (cursors do).
 */
import type { Document } from 'bson';
import { Query } from 'mingo';
import { badValue } from '../errors';
import { idKey, type Collection } from './collection';
import { planQuery, type QueryPlan } from './query-plan';

// A compiled query keeps no state between find calls, and building one copies mingo's operator tables.
const MATCH_ALL = new Query({});

export interface SelectOptions {
  sort?: Document | undefined;
  skip?: number | undefined;
  /** Maximum number of documents; undefined means no limit. */
  limit?: number | undefined;
}

/**
 * Compiles a filter with mingo.
 * @throws CommandError BadValue with mingo's message when the filter is invalid (for example an unknown operator).
 */
export function compileFilter(filter: Document): Query {
  try {
    return new Query(filter);
  } catch (error) {
    throw badValue(`invalid filter: ${(error as Error).message}`);
  }
}

type IndexPlan = Extract<QueryPlan, { kind: 'index' }>;

/** Calls `visit` with each candidate document until it returns false. */
type CandidateSource = (visit: (document: Document) => boolean) => void;

function indexedCandidates(collection: Collection, plan: IndexPlan, withUnordered: boolean): CandidateSource {
  return (visit) => {
    const visitId = (id: string) => visit(collection.get(id)!);
    for (const prefix of plan.prefixes) {
      if (!plan.index.scan(prefix, plan.range, visitId)) return;
    }
    if (!withUnordered) return;
    for (const id of plan.index.unorderedIds) {
      if (!visitId(id)) return;
    }
  };
}

function listedCandidates(documents: Iterable<Document>): CandidateSource {
  return (visit) => {
    for (const document of documents) {
      if (!visit(document)) return;
    }
  };
}

function candidatesOf(collection: Collection, plan: QueryPlan): CandidateSource {
  switch (plan.kind) {
    case 'collectionScan':
      return listedCandidates(collection.values());
    case 'ids': {
      const documents: Document[] = [];
      for (const id of plan.ids) {
        const document = collection.get(idKey(id));
        if (document !== undefined) documents.push(document);
      }
      return listedCandidates(documents);
    }
    case 'index':
      return indexedCandidates(collection, plan, true);
  }
}

/** Tests candidates in order and stops as soon as skip + limit matches are found. */
function selectFirstMatches(candidates: CandidateSource, query: Query, skip: number, limit: number | undefined): Document[] {
  const matches: Document[] = [];
  let skipped = 0;
  candidates((document) => {
    if (!query.test(document)) return true;
    if (skipped < skip) {
      skipped += 1;
      return true;
    }
    matches.push(document);
    return limit === undefined || matches.length < limit;
  });
  return matches;
}

/** Returns the stored documents of `collection` that match `filter`, in the requested order. */
export function selectDocuments(collection: Collection | undefined, filter: Document, options: SelectOptions = {}): Document[] {
  if (collection === undefined) return [];
  const query = compileFilter(filter);
  const sort = options.sort !== undefined && Object.keys(options.sort).length > 0 ? options.sort : undefined;
  const skip = options.skip ?? 0;
  const plan = planQuery(filter, sort, collection.secondaryIndexes(), options.limit !== undefined);

  // When the index order is the requested order, or no order is requested, reading stops at
  // the limit instead of filtering every candidate.
  if (plan.kind === 'index' && plan.sorted && plan.index.unorderedIds.size === 0) {
    return selectFirstMatches(indexedCandidates(collection, plan, false), query, skip, options.limit);
  }
  const candidates = candidatesOf(collection, plan);
  if (sort === undefined) return selectFirstMatches(candidates, query, skip, options.limit);

  // mingo sorts the matches; MongoDB's order of equal sort keys is unspecified, and so is this one.
  let cursor = query.find<Document>(selectFirstMatches(candidates, query, 0, undefined)).sort(sort);
  if (skip > 0) cursor = cursor.skip(skip);
  if (options.limit !== undefined) cursor = cursor.limit(options.limit);
  return cursor.all();
}

/**
 * Applies a find projection; returns the documents unchanged when the projection is empty.
 * @throws CommandError BadValue when the projection is invalid.
 */
export function projectDocuments(documents: Document[], projection: Document | undefined): Document[] {
  if (projection === undefined || Object.keys(projection).length === 0) return documents;
  try {
    return MATCH_ALL.find<Document>(documents, projection).all();
  } catch (error) {
    throw badValue(`invalid projection: ${(error as Error).message}`);
  }
}
