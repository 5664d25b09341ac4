import type { Document } from 'bson';

/**
 * Reads a dotted field path. Returns undefined when the field is missing, and returns the array
 * itself when the path runs into an array before its last segment, because then the path names
 * many values (a multikey index would index each one).
 */
export function readFieldPath(document: Document, path: string): unknown {
  if (!path.includes('.')) return document[path];

  let current: unknown = document;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) return current;
    current = (current as Document)[segment];
  }
  return current;
}

/** Sets a dotted field path, creating the intermediate objects. */
export function writeFieldPath(document: Document, path: string, value: unknown): void {
  const segments = path.split('.');
  const last = segments.pop()!;
  let current: Document = document;
  for (const segment of segments) {
    const next: unknown = current[segment];
    if (next === null || typeof next !== 'object') {
      const created: Document = {};
      current[segment] = created;
      current = created;
    } else {
      current = next as Document;
    }
  }
  current[last] = value;
}
