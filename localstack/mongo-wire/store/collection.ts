/**
 * One collection: documents by canonical `_id` (so `_id` lookups are a Map read) and its
 * declared indexes, which every write keeps up to date. Writes check every unique constraint
 * before changing anything, so a rejected write leaves no trace.
 */
import { UUID, type Document } from 'bson';
import { canonicalKey } from './bson-order';
import { duplicateKeyError } from './duplicate-key';
import { ID_INDEX_DEFINITION, ID_INDEX_NAME, indexDefinition, sameIndex, sameKeyPattern, type IndexSpec } from './index-spec';
import { SecondaryIndex } from './secondary-index';
import { CommandError } from '../errors';

/** Result of createIndex: whether the index is new. */
export type IndexCreation = 'created' | 'exists';

/** Canonical key of an `_id` value; two `_id`s are equal exactly when their keys are. */
export function idKey(id: unknown): string {
  return canonicalKey(id);
}

/** Called after a stored document was replaced by its updated version. */
export type UpdateListener = (collection: Collection, before: Document, after: Document) => void;

export class Collection {
  readonly database: string;
  readonly name: string;
  /** Collection UUID, reported by `listCollections`. */
  readonly uuid = new UUID();
  private readonly documents = new Map<string, Document>();
  private readonly indexes = new Map<string, SecondaryIndex>();

  constructor(
    database: string,
    name: string,
    private readonly onUpdate: UpdateListener = () => {},
  ) {
    this.database = database;
    this.name = name;
  }

  /** `database.collection`, as MongoDB prints it in messages and cursor replies. */
  get namespace(): string {
    return `${this.database}.${this.name}`;
  }

  get size(): number {
    return this.documents.size;
  }

  /** Returns the document with canonical id `id`. */
  get(id: string): Document | undefined {
    return this.documents.get(id);
  }

  /** Returns every document in insertion order (MongoDB leaves its natural order unspecified). */
  values(): IterableIterator<Document> {
    return this.documents.values();
  }

  /** Returns the declared indexes, without the implicit `_id` index. */
  secondaryIndexes(): SecondaryIndex[] {
    return [...this.indexes.values()];
  }

  /**
   * Stores a new document, which must already have an `_id`.
   * @throws CommandError DuplicateKey when `_id` or a unique index key is taken.
   */
  insert(document: Document): void {
    const id = idKey(document._id);
    if (this.documents.has(id)) {
      throw duplicateKeyError(this.namespace, ID_INDEX_NAME, { _id: 1 }, { _id: document._id });
    }
    this.assertUnique(id, document);

    this.documents.set(id, document);
    for (const index of this.indexes.values()) index.add(id, document);
  }

  /**
   * Replaces a stored document by a new version with the same `_id`.
   * @throws CommandError DuplicateKey when the new version takes a unique index key.
   */
  replace(current: Document, next: Document): void {
    const id = idKey(current._id);
    this.assertUnique(id, next);

    this.documents.set(id, next);
    for (const index of this.indexes.values()) index.replace(id, next);
    this.onUpdate(this, current, next);
  }

  /** Deletes a stored document; returns false when it is already gone. */
  remove(document: Document): boolean {
    const id = idKey(document._id);
    if (!this.documents.delete(id)) return false;
    for (const index of this.indexes.values()) index.remove(id);
    return true;
  }

  /**
   * Declares an index and builds it from the stored documents.
   * @throws CommandError IndexOptionsConflict or IndexKeySpecsConflict when it clashes with an
   * existing index, DuplicateKey when a unique index finds duplicates in the stored documents.
   */
  createIndex(spec: IndexSpec): IndexCreation {
    for (const existing of this.indexes.values()) {
      if (sameIndex(existing.spec, spec)) return 'exists';
      if (existing.spec.name === spec.name) {
        throw new CommandError(
          'IndexKeySpecsConflict',
          `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(indexDefinition(spec))}, existing index: ${JSON.stringify(indexDefinition(existing.spec))}`,
        );
      }
      const samePartialFilter = JSON.stringify(existing.spec.partialFilterExpression) === JSON.stringify(spec.partialFilterExpression);
      if (sameKeyPattern(existing.spec, spec) && samePartialFilter) {
        throw new CommandError('IndexOptionsConflict', `Index already exists with a different name: ${existing.spec.name}`);
      }
    }

    const index = new SecondaryIndex(spec);
    for (const [id, document] of this.documents) {
      const conflict = index.findConflict(id, document);
      if (conflict !== undefined) throw duplicateKeyError(this.namespace, spec.name, index.keyPattern, conflict.keyValue);
      index.add(id, document);
    }
    this.indexes.set(spec.name, index);
    return 'created';
  }

  /** Returns the declared index named `name`. */
  getIndex(name: string): SecondaryIndex | undefined {
    return this.indexes.get(name);
  }

  /** Returns the documents `listIndexes` replies with, `_id_` first. */
  indexDefinitions(): Document[] {
    return [ID_INDEX_DEFINITION, ...[...this.indexes.values()].map((index) => indexDefinition(index.spec))];
  }

  private assertUnique(id: string, document: Document): void {
    for (const index of this.indexes.values()) {
      const conflict = index.findConflict(id, document);
      if (conflict !== undefined) {
        throw duplicateKeyError(this.namespace, index.spec.name, index.keyPattern, conflict.keyValue);
      }
    }
  }
}
