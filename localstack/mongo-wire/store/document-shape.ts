import { ObjectId, type Document } from 'bson';

/** True for a plain object literal (not an array, Date or bson value). */
export function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** True for a condition such as `{ $gte: 1, $lt: 5 }`: a non-empty object whose keys all start with `$`. */
export function isOperatorDocument(value: unknown): value is Document {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => key.startsWith('$'));
}

/**
 * Returns the document with `_id` as its first field, generating an ObjectId when it has none,
 * as mongod does for documents it inserts.
 */
export function withIdFirst(document: Document): Document {
  const { _id: id, ...rest } = document;
  return { _id: id === undefined ? new ObjectId() : id, ...rest };
}
