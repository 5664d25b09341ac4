import { EJSON, type Document } from 'bson';
import { CommandError } from '../errors';
import { typeRank, TypeRank } from './bson-order';

/** Formats a key value as MongoDB prints it in an E11000 message: `"text"`, `42`, `null`, `new Date(1700000000000)`. */
function formatKeyValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeRank(value)) {
    case TypeRank.string:
      return JSON.stringify(String(value));
    case TypeRank.number:
    case TypeRank.boolean:
      return String(value);
    case TypeRank.date:
      return `new Date(${(value as Date).getTime()})`;
    case TypeRank.objectId:
      return `ObjectId('${String(value)}')`;
    default:
      return EJSON.stringify(value as object);
  }
}

/**
 * Builds the error MongoDB reports for a unique index violation, for example
 * `E11000 duplicate key error collection: app.users index: email_1 dup key: { email: "a@example.com" }`,
 * with `keyPattern` and `keyValue`, so the driver raises it with code 11000.
 */
export function duplicateKeyError(namespace: string, indexName: string, pattern: Document, keyValue: Document): CommandError {
  const printed = Object.entries(keyValue)
    .map(([field, value]) => `${field}: ${formatKeyValue(value)}`)
    .join(', ');
  return new CommandError(
    'DuplicateKey',
    `E11000 duplicate key error collection: ${namespace} index: ${indexName} dup key: { ${printed} }`,
    { keyPattern: pattern, keyValue },
  );
}
