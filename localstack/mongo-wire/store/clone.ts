import type { Document } from 'bson';

function cloneValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(cloneValue);
  if (value instanceof Date) return new Date(value.getTime());

  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    // bson class instances (ObjectId, Binary, Long, ...) are never changed in place, so they are shared.
    return value;
  }
  return cloneDocument(value as Document);
}

/**
 * Deep-copies a document: plain objects, arrays and dates are copied, bson values are shared.
 * Stored documents are never changed in place, so updates work on a copy.
 */
export function cloneDocument(document: Document): Document {
  const copy: Document = {};
  for (const [key, value] of Object.entries(document)) {
    copy[key] = cloneValue(value);
  }
  return copy;
}
