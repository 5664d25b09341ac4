/**
 * Index specifications as `createIndexes` receives them, validated the way MongoDB validates
 * them, plus the document `listIndexes` returns for each.
 */
import { EJSON, type Document } from 'bson';
import { CommandError } from '../errors';

export type IndexDirection = 1 | -1 | 'hashed';

export interface IndexField {
  path: string;
  direction: IndexDirection;
}

export interface IndexSpec {
  name: string;
  fields: IndexField[];
  unique: boolean;
  sparse: boolean;
  /** Hidden indexes still enforce uniqueness, but queries do not read from them. */
  hidden: boolean;
  partialFilterExpression: Document | undefined;
  expireAfterSeconds: number | undefined;
}

export const ID_INDEX_NAME = '_id_';

/** MongoDB's upper limit for `expireAfterSeconds` (the largest int32). */
const MAX_EXPIRE_AFTER_SECONDS = 2_147_483_647;

/** Index options the test server accepts; `background`, `v` and `ns` are accepted and ignored, because every index here is built at once. */
const ACCEPTED_OPTIONS = new Set([
  'key',
  'name',
  'unique',
  'sparse',
  'hidden',
  'partialFilterExpression',
  'expireAfterSeconds',
  'background',
  'v',
  'ns',
]);

/** Options MongoDB supports but the test server does not, so they fail loudly instead of being ignored. */
const UNSUPPORTED_OPTIONS = new Set([
  'collation',
  'weights',
  'default_language',
  'language_override',
  'textIndexVersion',
  '2dsphereIndexVersion',
  'bits',
  'min',
  'max',
  'wildcardProjection',
  'storageEngine',
]);

function describe(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : EJSON.stringify(value as object);
}

function parseDirection(path: string, value: unknown): IndexDirection {
  if (typeof value === 'number' && value !== 0 && Number.isFinite(value)) return value > 0 ? 1 : -1;
  if (value === 'hashed') return 'hashed';
  throw new CommandError(
    'CannotCreateIndex',
    `index key value ${describe(value)} for field '${path}' is not supported by the Sluice MongoDB test server: use 1, -1 or 'hashed'`,
  );
}

function parseFields(key: unknown): IndexField[] {
  if (key === null || typeof key !== 'object' || Array.isArray(key)) {
    throw new CommandError('CannotCreateIndex', `index 'key' must be a document such as { field: 1 }, got ${describe(key)}`);
  }
  const fields = Object.entries(key as Document).map(([path, value]) => ({ path, direction: parseDirection(path, value) }));
  if (fields.length === 0) throw new CommandError('CannotCreateIndex', 'Index keys cannot be empty.');
  return fields;
}

/** Builds MongoDB's default index name, for example `state_1_runAt_1`. */
export function defaultIndexName(fields: IndexField[]): string {
  return fields.map((field) => `${field.path}_${field.direction}`).join('_');
}

function parseExpireAfterSeconds(value: unknown, fields: IndexField[]): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_EXPIRE_AFTER_SECONDS) {
    throw new CommandError(
      'CannotCreateIndex',
      `expireAfterSeconds must be an integer from 0 to ${MAX_EXPIRE_AFTER_SECONDS}, got ${describe(value)}`,
    );
  }
  if (fields.length !== 1) {
    throw new CommandError('CannotCreateIndex', 'TTL indexes are single-field indexes, compound indexes do not support TTL');
  }
  return value;
}

function parseBoolean(spec: Document, option: string): boolean {
  const value: unknown = spec[option];
  if (value === undefined || value === null) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  throw new CommandError('TypeMismatch', `index option '${option}' must be a boolean, got ${describe(value)}`);
}

/**
 * Validates one entry of `createIndexes.indexes`.
 * @throws CommandError (CannotCreateIndex, InvalidIndexSpecificationOption, TypeMismatch) naming the bad option.
 */
export function parseIndexSpec(raw: unknown): IndexSpec {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CommandError('TypeMismatch', `each entry of 'indexes' must be a document, got ${describe(raw)}`);
  }
  const spec = raw as Document;

  for (const option of Object.keys(spec)) {
    if (UNSUPPORTED_OPTIONS.has(option)) {
      throw new CommandError('InvalidIndexSpecificationOption', `index option '${option}' is not supported by the Sluice MongoDB test server`);
    }
    if (!ACCEPTED_OPTIONS.has(option)) {
      throw new CommandError('InvalidIndexSpecificationOption', `The field '${option}' is not valid for an index specification.`);
    }
  }

  const fields = parseFields(spec.key);
  const name: unknown = spec.name ?? defaultIndexName(fields);
  if (typeof name !== 'string' || name.length === 0) {
    throw new CommandError('TypeMismatch', `index 'name' must be a non-empty string, got ${describe(name)}`);
  }

  const partial: unknown = spec.partialFilterExpression;
  if (partial !== undefined && (partial === null || typeof partial !== 'object' || Array.isArray(partial))) {
    throw new CommandError('TypeMismatch', `partialFilterExpression must be a document, got ${describe(partial)}`);
  }

  const unique = parseBoolean(spec, 'unique');
  if (unique && fields.some((field) => field.direction === 'hashed')) {
    throw new CommandError('CannotCreateIndex', 'Currently hashed indexes cannot guarantee uniqueness. Use a regular index.');
  }

  return {
    name,
    fields,
    unique,
    sparse: parseBoolean(spec, 'sparse'),
    hidden: parseBoolean(spec, 'hidden'),
    partialFilterExpression: partial as Document | undefined,
    expireAfterSeconds: parseExpireAfterSeconds(spec.expireAfterSeconds, fields),
  };
}

/** Returns the key pattern document, for example `{ state: 1, runAt: 1 }`. */
export function keyPattern(spec: Pick<IndexSpec, 'fields'>): Document {
  return Object.fromEntries(spec.fields.map((field) => [field.path, field.direction]));
}

/** Returns the document `listIndexes` replies with for an index. */
export function indexDefinition(spec: IndexSpec): Document {
  const definition: Document = { v: 2, key: keyPattern(spec), name: spec.name };
  if (spec.unique) definition.unique = true;
  if (spec.sparse) definition.sparse = true;
  if (spec.hidden) definition.hidden = true;
  if (spec.partialFilterExpression !== undefined) definition.partialFilterExpression = spec.partialFilterExpression;
  if (spec.expireAfterSeconds !== undefined) definition.expireAfterSeconds = spec.expireAfterSeconds;
  return definition;
}

/** The `_id` index every collection has. */
export const ID_INDEX_DEFINITION: Document = { v: 2, key: { _id: 1 }, name: ID_INDEX_NAME };

/** True when two specs have the same key pattern in the same order. */
export function sameKeyPattern(a: IndexSpec, b: IndexSpec): boolean {
  return EJSON.stringify(keyPattern(a)) === EJSON.stringify(keyPattern(b));
}

/** True when two specs define the same index, name included. */
export function sameIndex(a: IndexSpec, b: IndexSpec): boolean {
  return EJSON.stringify(indexDefinition(a), { relaxed: false }) === EJSON.stringify(indexDefinition(b), { relaxed: false });
}
