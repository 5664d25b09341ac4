/**
 * Chooses where a query reads its candidate documents from: the `_id` map, one declared index,
 * or a scan of the whole collection. The plan only has to return a superset of the matches,
 * because mingo filters every candidate again with the full query. Any condition the planner
 * does not understand is left to that filter.
 */
import type { Document } from 'bson';
import { canonicalKey, compareValues, isOrderableKey, KeyBound, typeRank } from './bson-order';
import { isOperatorDocument } from './document-shape';
import type { FieldRange, SecondaryIndex } from './secondary-index';

/** Equality values (`points`) and bounds (`range`) found for one field path. */
interface FieldPredicate {
  points?: unknown[];
  range?: FieldRange;
}

export type QueryPlan =
  | { kind: 'ids'; ids: unknown[] }
  | {
      kind: 'index';
      index: SecondaryIndex;
      /** One entry per combination of equality values on the leading fields. */
      prefixes: unknown[][];
      range: FieldRange | undefined;
      /** Index order equals the requested sort order, so reading can stop at the limit. */
      sorted: boolean;
    }
  | { kind: 'collectionScan' };

/** Caps the combinations of `$in` values across index fields, so a plan never enumerates millions of prefixes. */
const MAX_PREFIX_COMBINATIONS = 1000;

const RANGE_OPERATORS = new Set(['$gt', '$gte', '$lt', '$lte']);

function isPoint(value: unknown): boolean {
  return value !== undefined && isOrderableKey(value);
}

function uniquePoints(values: unknown[]): unknown[] {
  const seen = new Map<string, unknown>();
  for (const value of values) seen.set(canonicalKey(value), value);
  return [...seen.values()];
}

function rangeOf(operators: Document): FieldRange | undefined {
  let range: FieldRange | undefined;
  let rank: number | undefined;

  for (const [operator, bound] of Object.entries(operators)) {
    if (!RANGE_OPERATORS.has(operator) || !isPoint(bound)) continue;
    const boundRank = typeRank(bound);
    if (range === undefined) {
      rank = boundRank;
      // Type bracketing: the open side stops at the edge of the bound's own type.
      range = { lower: new KeyBound(rank, -1), lowerInclusive: true, upper: new KeyBound(rank, 1), upperInclusive: true };
    } else if (boundRank !== rank) {
      continue;
    }

    const inclusive = operator === '$gte' || operator === '$lte';
    if (operator === '$gt' || operator === '$gte') {
      const order = compareValues(bound, range.lower);
      if (order > 0 || (order === 0 && !inclusive)) {
        range.lower = bound;
        range.lowerInclusive = inclusive;
      }
    } else {
      const order = compareValues(bound, range.upper);
      if (order < 0 || (order === 0 && !inclusive)) {
        range.upper = bound;
        range.upperInclusive = inclusive;
      }
    }
  }
  return range;
}

function predicateOf(condition: unknown): FieldPredicate | undefined {
  if (!isOperatorDocument(condition)) {
    return isPoint(condition) ? { points: [condition] } : undefined;
  }
  if ('$eq' in condition && isPoint(condition.$eq)) return { points: [condition.$eq] };

  const values: unknown = condition.$in;
  if (Array.isArray(values) && values.every(isPoint)) return { points: uniquePoints(values) };

  const range = rangeOf(condition);
  return range === undefined ? undefined : { range };
}

/** Collects the conditions of the top level of a filter, descending into `$and`. */
function collectPredicates(filter: Document, predicates: Map<string, FieldPredicate>): void {
  for (const [path, condition] of Object.entries(filter)) {
    if (path === '$and' && Array.isArray(condition)) {
      for (const clause of condition) {
        if (clause !== null && typeof clause === 'object') collectPredicates(clause as Document, predicates);
      }
      continue;
    }
    if (path.startsWith('$') || predicates.has(path)) continue;

    const predicate = predicateOf(condition);
    if (predicate !== undefined) predicates.set(path, predicate);
  }
}

function sortDirections(sort: Document | undefined): Array<[string, unknown]> {
  return sort === undefined ? [] : Object.entries(sort);
}

/** True when reading `index` after `pointedFields` equality fields yields documents in `sort` order. */
function indexFollowsSort(index: SecondaryIndex, pointedFields: number, sort: Array<[string, unknown]>): boolean {
  const fixed = new Set(index.spec.fields.slice(0, pointedFields).map((field) => field.path));
  const remaining = sort.filter(([path]) => !fixed.has(path));
  return remaining.every(([path, direction], offset) => {
    const field = index.spec.fields[pointedFields + offset];
    return field !== undefined && field.path === path && field.direction !== 'hashed' && field.direction === direction;
  });
}

function cartesianProduct(lists: unknown[][]): unknown[][] {
  let combinations: unknown[][] = [[]];
  for (const list of lists) {
    combinations = combinations.flatMap((combination) => list.map((value) => [...combination, value]));
  }
  return combinations;
}

interface Candidate {
  plan: Extract<QueryPlan, { kind: 'index' }>;
  /** Compared in order: conditions used, then sort order provided, then every key field fixed by equality. */
  score: [number, number, number];
}

function betterThan(a: Candidate, b: Candidate): boolean {
  for (let part = 0; part < a.score.length; part += 1) {
    if (a.score[part] !== b.score[part]) return a.score[part]! > b.score[part]!;
  }
  return false;
}

function planIndex(
  index: SecondaryIndex,
  predicates: Map<string, FieldPredicate>,
  sort: Array<[string, unknown]>,
  limited: boolean,
): Candidate | undefined {
  const pointLists: unknown[][] = [];
  let combinations = 1;
  let range: FieldRange | undefined;

  for (const field of index.spec.fields) {
    const predicate = predicates.get(field.path);
    if (predicate?.points !== undefined && combinations * Math.max(1, predicate.points.length) <= MAX_PREFIX_COMBINATIONS) {
      pointLists.push(predicate.points);
      combinations *= predicate.points.length;
      continue;
    }
    if (predicate?.range !== undefined && field.direction !== 'hashed') range = predicate.range;
    break;
  }

  const sorted = sort.length > 0 && combinations === 1 && indexFollowsSort(index, pointLists.length, sort);
  const score = pointLists.length * 2 + (range === undefined ? 0 : 1);
  // An index with no usable condition still helps a sorted, limited read: it stops early.
  if (score === 0 && !(sorted && limited)) return undefined;

  return {
    plan: { kind: 'index', index, prefixes: cartesianProduct(pointLists), range, sorted },
    score: [score, sorted ? 1 : 0, pointLists.length === index.spec.fields.length ? 1 : 0],
  };
}

/**
 * Plans a query. `sort` is the requested order, and `limited` tells whether a limit lets a
 * sorted index read stop early.
 */
export function planQuery(filter: Document, sort: Document | undefined, indexes: SecondaryIndex[], limited: boolean): QueryPlan {
  const predicates = new Map<string, FieldPredicate>();
  collectPredicates(filter, predicates);

  const idPoints = predicates.get('_id')?.points;
  if (idPoints !== undefined) return { kind: 'ids', ids: idPoints };

  const sortEntries = sortDirections(sort);
  let best: Candidate | undefined;
  for (const index of indexes) {
    if (!index.coversAllDocuments) continue;
    const candidate = planIndex(index, predicates, sortEntries, limited);
    if (candidate !== undefined && (best === undefined || betterThan(candidate, best))) best = candidate;
  }
  return best?.plan ?? { kind: 'collectionScan' };
}
