/**
 * A declared index over one collection: an ordered list of (key values, document id) entries for
 * range scans and sorted reads, plus a map of keys to owners when the index is unique.
 *
 * Documents whose key contains an object, an array or binary data are kept in a separate
 * `unordered` set, which every scan returns as extra candidates. The caller filters all
 * candidates with the full query anyway, so results stay correct without multikey entries.
 * NOTE: a unique index compares such a key as a whole value, where MongoDB compares each
 * array element.
 */
import type { Document } from 'bson';
import { Query } from 'mingo';
import { canonicalKey, compareValues, HIGHEST, isOrderableKey, LOWEST, typeRank } from './bson-order';
import { readFieldPath } from './field-path';
import { keyPattern, type IndexSpec } from './index-spec';
import { SortedList } from './sorted-list';

interface IndexEntry {
  values: unknown[];
  /** Canonical key of the document's `_id`. */
  id: string;
}

interface Placement {
  /** The ordered entry, or undefined when the document sits in the unordered set. */
  entry: IndexEntry | undefined;
  values: unknown[];
  /** Canonical form of all key values, kept by unique indexes only. */
  signature: string | undefined;
}

/** Bounds on one index field; a bound is a value or a KeyBound. */
export interface FieldRange {
  lower: unknown;
  lowerInclusive: boolean;
  upper: unknown;
  upperInclusive: boolean;
}

/** A unique-index violation: which key values collide. */
export interface KeyConflict {
  keyValue: Document;
}

// Probe ids sort before and after every real id: canonical ids always start with an ASCII letter.
const FIRST_ID = '';
const LAST_ID = '\uffff';

export class SecondaryIndex {
  readonly spec: IndexSpec;
  readonly keyPattern: Document;
  private readonly directions: Array<1 | -1>;
  private readonly ordered: SortedList<IndexEntry>;
  private readonly unordered = new Set<string>();
  private readonly placements = new Map<string, Placement>();
  private readonly owners = new Map<string, string>();
  private readonly partialFilter: Query | undefined;

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.keyPattern = keyPattern(spec);
    this.directions = spec.fields.map((field) => (field.direction === -1 ? -1 : 1));
    this.ordered = new SortedList((a, b) => this.compareEntries(a, b));
    this.partialFilter = spec.partialFilterExpression === undefined ? undefined : new Query(spec.partialFilterExpression);
  }

  /** Number of indexed documents. */
  get size(): number {
    return this.placements.size;
  }

  /** True when a query may read candidates from this index: not sparse, not partial, not hidden. */
  get coversAllDocuments(): boolean {
    return !this.spec.sparse && this.partialFilter === undefined && !this.spec.hidden;
  }

  /**
   * Returns the key values of a document, with missing fields as null, or undefined when the
   * document is not indexed (it fails the partial filter, or a sparse index finds none of its fields).
   */
  keyValues(document: Document): unknown[] | undefined {
    if (this.partialFilter !== undefined && !this.partialFilter.test(document)) return undefined;
    const values = this.spec.fields.map((field) => readFieldPath(document, field.path));
    if (this.spec.sparse && values.every((value) => value === undefined)) return undefined;
    return values.map((value) => (value === undefined ? null : value));
  }

  /** Returns the collision a unique index would see if `document` (with canonical id `id`) were stored. */
  findConflict(id: string, document: Document): KeyConflict | undefined {
    if (!this.spec.unique) return undefined;
    const values = this.keyValues(document);
    if (values === undefined) return undefined;

    const owner = this.owners.get(signatureOf(values));
    if (owner === undefined || owner === id) return undefined;
    const keyValue = Object.fromEntries(this.spec.fields.map((field, position) => [field.path, values[position]]));
    return { keyValue };
  }

  /** Indexes a document; the caller has checked uniqueness with findConflict. */
  add(id: string, document: Document): void {
    const values = this.keyValues(document);
    if (values === undefined) return;

    let entry: IndexEntry | undefined;
    if (values.every(isOrderableKey)) {
      entry = { values, id };
      this.ordered.insert(entry);
    } else {
      this.unordered.add(id);
    }
    const signature = this.spec.unique ? signatureOf(values) : undefined;
    this.placements.set(id, { entry, values, signature });
    if (signature !== undefined) this.owners.set(signature, id);
  }

  /** Removes a document's entry, if it has one. */
  remove(id: string): void {
    const placement = this.placements.get(id);
    if (placement === undefined) return;

    if (placement.entry === undefined) this.unordered.delete(id);
    else this.ordered.delete(placement.entry);
    this.placements.delete(id);
    if (placement.signature !== undefined && this.owners.get(placement.signature) === id) this.owners.delete(placement.signature);
  }

  /** Re-indexes a changed document; does nothing when its key is unchanged. */
  replace(id: string, document: Document): void {
    const values = this.keyValues(document);
    const placement = this.placements.get(id);
    if (values !== undefined && placement !== undefined && sameKey(placement.values, values)) return;
    this.remove(id);
    this.add(id, document);
  }

  /** Ids of documents whose key contains an object, array or binary value: candidates for every scan. */
  get unorderedIds(): ReadonlySet<string> {
    return this.unordered;
  }

  /**
   * Calls `visit` with the ids of ordered entries whose leading fields equal `prefix` and whose
   * next field lies in `range` (any value when range is undefined), in index order, until the
   * entries run out of bounds or `visit` returns false. Returns false when `visit` stopped it.
   */
  scan(prefix: unknown[], range: FieldRange | undefined, visit: (id: string) => boolean): boolean {
    const rangeField = prefix.length;
    const direction = this.directions[rangeField] ?? 1;
    const bounded = range !== undefined && rangeField < this.directions.length;
    const probeValues = [...prefix];
    let startInclusive = true;
    let end: unknown;
    let endInclusive = true;

    if (bounded) {
      // In a descending field the index order runs from the upper bound down to the lower one.
      const ascending = direction === 1;
      probeValues.push(ascending ? range.lower : range.upper);
      startInclusive = ascending ? range.lowerInclusive : range.upperInclusive;
      end = ascending ? range.upper : range.lower;
      endInclusive = ascending ? range.upperInclusive : range.lowerInclusive;
    }

    // Fill the remaining fields so the probe sorts before (inclusive start) or after (exclusive
    // start) every entry that shares the probe's values.
    for (let field = probeValues.length; field < this.directions.length; field += 1) {
      const fieldAscending = this.directions[field] === 1;
      probeValues.push(startInclusive === fieldAscending ? LOWEST : HIGHEST);
    }
    const probe: IndexEntry = { values: probeValues, id: startInclusive ? FIRST_ID : LAST_ID };

    let completed = true;
    this.ordered.forEachFrom(probe, (entry) => {
      for (let field = 0; field < prefix.length; field += 1) {
        if (compareValues(entry.values[field], prefix[field]) !== 0) return false;
      }
      if (bounded) {
        const beyond = compareValues(entry.values[rangeField], end) * direction;
        if (beyond > 0 || (beyond === 0 && !endInclusive)) return false;
      }
      completed = visit(entry.id);
      return completed;
    });
    return completed;
  }

  private compareEntries(a: IndexEntry, b: IndexEntry): number {
    for (let field = 0; field < this.directions.length; field += 1) {
      const order = compareValues(a.values[field], b.values[field]) * this.directions[field]!;
      if (order !== 0) return order;
    }
    if (a.id === b.id) return 0;
    return a.id < b.id ? -1 : 1;
  }
}

/** True when two keys hold the same values of the same types, so the entry can stay where it is. */
function sameKey(a: unknown[], b: unknown[]): boolean {
  return a.every((value, position) => typeRank(value) === typeRank(b[position]) && compareValues(value, b[position]) === 0);
}

function signatureOf(values: unknown[]): string {
  return JSON.stringify(values.map(canonicalKey));
}
