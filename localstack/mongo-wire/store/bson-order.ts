/**
 * MongoDB's order of BSON values, used by the indexes: values compare first by type rank (MinKey,
 * null, numbers, strings, objects, arrays, binary data, ObjectId, booleans, dates, timestamps,
 * regular expressions, MaxKey), then within the type. Range operators only match values of the
 * bound's own rank ("type bracketing"), so `{ runAt: { $lte: date } }` never matches a number.
 */
import { EJSON, type Timestamp } from 'bson';

export const TypeRank = {
  minKey: 1,
  null: 2,
  number: 3,
  string: 4,
  object: 5,
  array: 6,
  binData: 7,
  objectId: 8,
  boolean: 9,
  date: 10,
  timestamp: 11,
  regex: 12,
  maxKey: 13,
} as const;

type Rank = (typeof TypeRank)[keyof typeof TypeRank];

/**
 * A position between values: just before (edge -1) or just after (edge 1) every value of `rank`.
 * `rank` may be -Infinity or Infinity to mean before or after everything.
 */
export class KeyBound {
  constructor(
    readonly rank: number,
    readonly edge: -1 | 1,
  ) {}
}

export const LOWEST = new KeyBound(-Infinity, -1);
export const HIGHEST = new KeyBound(Infinity, 1);

interface BsonValue {
  _bsontype: string;
}

function bsonType(value: object): string | undefined {
  const tag = (value as Partial<BsonValue>)._bsontype;
  return typeof tag === 'string' ? tag : undefined;
}

/** Returns the rank of a value in MongoDB's cross-type order; a missing value ranks as null. */
export function typeRank(value: unknown): Rank {
  if (value === null || value === undefined) return TypeRank.null;
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return TypeRank.number;
    case 'string':
      return TypeRank.string;
    case 'boolean':
      return TypeRank.boolean;
    case 'object':
      break;
    default:
      return TypeRank.object;
  }
  if (value instanceof Date) return TypeRank.date;
  if (value instanceof RegExp) return TypeRank.regex;
  if (Array.isArray(value)) return TypeRank.array;

  switch (bsonType(value)) {
    case 'Long':
    case 'Double':
    case 'Int32':
    case 'Decimal128':
      return TypeRank.number;
    case 'BSONSymbol':
      return TypeRank.string;
    case 'ObjectId':
      return TypeRank.objectId;
    case 'Binary':
      return TypeRank.binData;
    case 'Timestamp':
      return TypeRank.timestamp;
    case 'BSONRegExp':
      return TypeRank.regex;
    case 'MinKey':
      return TypeRank.minKey;
    case 'MaxKey':
      return TypeRank.maxKey;
    default:
      return TypeRank.object;
  }
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  // Long, Double, Int32 and Decimal128 all print their exact value.
  return Number(String(value));
}

function compareNumbers(a: number, b: number): number {
  // MongoDB sorts NaN before every other number.
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

function compareSameRank(rank: Rank, a: unknown, b: unknown): number {
  switch (rank) {
    case TypeRank.null:
    case TypeRank.minKey:
    case TypeRank.maxKey:
      return 0;
    case TypeRank.number:
      return compareNumbers(toNumber(a), toNumber(b));
    case TypeRank.string:
      return compareStrings(String(a), String(b));
    case TypeRank.boolean:
      return Number(a) - Number(b);
    case TypeRank.date:
      return compareNumbers((a as Date).getTime(), (b as Date).getTime());
    case TypeRank.objectId:
      return compareStrings(String(a), String(b));
    case TypeRank.timestamp: {
      const [aTime, bTime] = [a as Timestamp, b as Timestamp];
      return compareNumbers(aTime.t, bTime.t) || compareNumbers(aTime.i, bTime.i);
    }
    default:
      // Objects, arrays, binary data and regular expressions never appear in an ordered index
      // entry (see SecondaryIndex), so any consistent order is enough here.
      return compareStrings(canonicalKey(a), canonicalKey(b));
  }
}

/** Compares two values, or a value and a KeyBound, in MongoDB's order. */
export function compareValues(a: unknown, b: unknown): number {
  const aBound = a instanceof KeyBound;
  const bBound = b instanceof KeyBound;
  if (aBound || bBound) {
    const aRank = aBound ? a.rank : typeRank(a);
    const bRank = bBound ? b.rank : typeRank(b);
    if (aRank !== bRank) return aRank < bRank ? -1 : 1;
    const aEdge = aBound ? a.edge : 0;
    const bEdge = bBound ? b.edge : 0;
    return aEdge - bEdge;
  }

  const aRank = typeRank(a);
  const bRank = typeRank(b);
  if (aRank !== bRank) return aRank - bRank;
  return compareSameRank(aRank, a, b);
}

/**
 * Returns a string that is equal for two values exactly when MongoDB treats them as equal in an index
 * key: `1`, `1.0` and `Long(1)` share a key, and null shares one with a missing field.
 */
export function canonicalKey(value: unknown): string {
  const rank = typeRank(value);
  switch (rank) {
    case TypeRank.null:
      return 'null';
    case TypeRank.number: {
      const number = toNumber(value);
      return `n:${Object.is(number, -0) ? 0 : number}`;
    }
    case TypeRank.string:
      return `s:${String(value)}`;
    case TypeRank.boolean:
      return `b:${String(value)}`;
    case TypeRank.date:
      return `d:${(value as Date).getTime()}`;
    case TypeRank.objectId:
      return `o:${String(value)}`;
    default:
      return `x:${EJSON.stringify(value as object, { relaxed: false })}`;
  }
}

/** True for values an ordered index entry can hold: everything except objects, arrays, binary data and regular expressions. */
export function isOrderableKey(value: unknown): boolean {
  const rank = typeRank(value);
  return rank !== TypeRank.object && rank !== TypeRank.array && rank !== TypeRank.binData && rank !== TypeRank.regex;
}
