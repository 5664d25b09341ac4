/**
 * A fast path for the most common `$group`: counting by one field or by a constant, as in
 * `{ $group: { _id: '$state', count: { $sum: 1 } } }` and the stage `countDocuments` sends
 * (`{ $group: { _id: 1, n: { $sum: 1 } } }`). It reads one field per document instead of
 * evaluating expressions: on 10,000 documents it took about 0.6 ms where mingo took 4 ms
 * (one measurement on a 2-core machine). Group order is unspecified, as in MongoDB.
 */
import type { Document } from 'bson';
import { canonicalKey } from './bson-order';
import { isPlainObject } from './document-shape';
import { readFieldPath } from './field-path';

interface CountGroup {
  /** Dotted path to group by, or undefined to group everything under `constant`. */
  path: string | undefined;
  constant: unknown;
  /** Output fields and the number each document adds to them. */
  sums: Array<[string, number]>;
}

function parseCountGroup(stage: Document): CountGroup | undefined {
  const spec: unknown = stage.$group;
  if (!isPlainObject(spec) || Object.keys(stage).length !== 1 || !('_id' in spec)) return undefined;

  const { _id: key, ...accumulators } = spec;
  let path: string | undefined;
  if (typeof key === 'string' && key.startsWith('$')) {
    path = key.slice(1);
    // `$$ROOT` and other variables are not plain field paths.
    if (path.startsWith('$') || path.length === 0) return undefined;
  } else if (!(key === null || typeof key === 'number' || typeof key === 'string' || typeof key === 'boolean')) {
    return undefined;
  }

  const sums: Array<[string, number]> = [];
  for (const [field, accumulator] of Object.entries(accumulators)) {
    if (!isPlainObject(accumulator) || Object.keys(accumulator).length !== 1) return undefined;
    const increment: unknown = accumulator.$sum;
    if (typeof increment !== 'number') return undefined;
    sums.push([field, increment]);
  }
  return { path, constant: key, sums };
}

/** Runs a counting `$group` stage; returns undefined for any other stage, or when a group key is an array or document. */
export function runCountGroup(stage: Document, documents: Document[]): Document[] | undefined {
  const group = parseCountGroup(stage);
  if (group === undefined) return undefined;

  const groups = new Map<string, { key: unknown; count: number }>();
  for (const document of documents) {
    const value = group.path === undefined ? group.constant : (readFieldPath(document, group.path) ?? null);
    // Arrays and embedded documents group by deep equality, which mingo handles.
    if (Array.isArray(value) || isPlainObject(value)) return undefined;
    const canonical = canonicalKey(value);
    const existing = groups.get(canonical);
    if (existing === undefined) groups.set(canonical, { key: value, count: 1 });
    else existing.count += 1;
  }

  return [...groups.values()].map(({ key, count }) => {
    const output: Document = { _id: key };
    for (const [field, increment] of group.sums) output[field] = increment * count;
    return output;
  });
}
