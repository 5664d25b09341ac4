/**
 * Applies the `u` of an update statement to a copy of a document: an operator document
 * (`$set`, `$inc`, `$push` with `$each` and `$slice`, ... through mingo's updater, plus
 * `$setOnInsert`, which mingo lacks), a replacement document, or an aggregation pipeline.
 */
import { serialize, type Document } from 'bson';
import { update as mingoUpdate, updateOne as mingoUpdateOne } from 'mingo';
import { CommandError } from '../errors';
import { canonicalKey } from './bson-order';
import { cloneDocument } from './clone';
import { isOperatorDocument, isPlainObject, withIdFirst } from './document-shape';
import { writeFieldPath } from './field-path';

export type UpdateKind = 'operators' | 'replacement' | 'pipeline';

export interface UpdateOutcome {
  document: Document;
  /** False when the update left the document as it was (MongoDB's `nModified` skips those). */
  modified: boolean;
}

/**
 * Tells which kind of update `update` is.
 * @throws CommandError FailedToParse when it is neither a document nor an array, or mixes operators and fields.
 */
export function classifyUpdate(update: unknown): UpdateKind {
  if (Array.isArray(update)) return 'pipeline';
  if (!isPlainObject(update)) {
    throw new CommandError('FailedToParse', `update must be a document or a pipeline array, got ${JSON.stringify(update)}`);
  }
  const keys = Object.keys(update);
  const operators = keys.filter((key) => key.startsWith('$'));
  if (operators.length === 0) return 'replacement';
  if (operators.length !== keys.length) {
    const field = keys.find((key) => !key.startsWith('$'));
    throw new CommandError('FailedToParse', `Unknown modifier: ${field}. Expected a valid update modifier or pipeline-style update specified as an array`);
  }
  return 'operators';
}

function updateFailed(error: unknown): CommandError {
  const message = (error as Error).message;
  if (message.includes('immutable field')) return new CommandError('ImmutableField', message);
  return new CommandError('FailedToParse', `invalid update: ${message}`);
}

function runOperators(document: Document, operators: Document, arrayFilters: Document[] | undefined): boolean {
  try {
    return mingoUpdate(document, operators, arrayFilters).length > 0;
  } catch (error) {
    throw updateFailed(error);
  }
}

function runPipeline(document: Document, pipeline: Document[]): Document {
  const holder = [document];
  try {
    mingoUpdateOne(holder, {}, pipeline as Parameters<typeof mingoUpdateOne>[2]);
  } catch (error) {
    throw updateFailed(error);
  }
  return holder[0]!;
}

function assertSameId(current: Document, next: Document): void {
  if (canonicalKey(current._id) !== canonicalKey(next._id)) {
    throw new CommandError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
  }
}

function sameContent(a: Document, b: Document): boolean {
  return Buffer.compare(serialize(a), serialize(b)) === 0;
}

/**
 * Returns the updated copy of `current`; `inserting` applies `$setOnInsert` (an upsert).
 * @throws CommandError FailedToParse for an invalid update, ImmutableField when `_id` would change.
 */
export function applyUpdate(
  current: Document,
  update: unknown,
  options: { arrayFilters?: Document[] | undefined; inserting: boolean },
): UpdateOutcome {
  const kind = classifyUpdate(update);

  if (kind === 'replacement') {
    const replacement = update as Document;
    const next = withIdFirst({ ...replacement, _id: replacement._id ?? current._id });
    assertSameId(current, next);
    return { document: next, modified: !sameContent(current, next) };
  }

  const copy = cloneDocument(current);
  if (kind === 'pipeline') {
    const next = runPipeline(copy, update as Document[]);
    assertSameId(current, next);
    return { document: next, modified: !sameContent(current, next) };
  }

  const { $setOnInsert: setOnInsert, ...operators } = update as Document;
  let modified = false;
  if (Object.keys(operators).length > 0) modified = runOperators(copy, operators, options.arrayFilters);
  if (options.inserting && isPlainObject(setOnInsert)) {
    modified = runOperators(copy, { $set: setOnInsert }, undefined) || modified;
  }
  assertSameId(current, copy);
  return { document: copy, modified };
}

/** Copies the equality conditions of a filter into `target`, as MongoDB seeds an upserted document. */
function seedFromFilter(filter: Document, target: Document): void {
  for (const [path, condition] of Object.entries(filter)) {
    if (path === '$and' && Array.isArray(condition)) {
      for (const clause of condition) if (isPlainObject(clause)) seedFromFilter(clause, target);
      continue;
    }
    if (path.startsWith('$') || condition instanceof RegExp) continue;

    if (isOperatorDocument(condition)) {
      if ('$eq' in condition) writeFieldPath(target, path, condition.$eq);
    } else {
      writeFieldPath(target, path, condition);
    }
  }
}

/**
 * Builds the document an upsert inserts: the filter's equality fields, then the update applied
 * with `$setOnInsert`. Its `_id` comes first and is generated when neither part sets it.
 * @throws CommandError FailedToParse for an invalid update.
 */
export function buildUpsertDocument(filter: Document, update: unknown, arrayFilters: Document[] | undefined): Document {
  const seed: Document = {};
  seedFromFilter(filter, seed);
  const kind = classifyUpdate(update);

  if (kind === 'replacement') {
    const replacement = update as Document;
    return withIdFirst({ ...replacement, _id: replacement._id ?? seed._id });
  }
  if (kind === 'pipeline') {
    return withIdFirst(runPipeline(seed, update as Document[]));
  }

  const { $setOnInsert: setOnInsert, ...operators } = update as Document;
  if (Object.keys(operators).length > 0) runOperators(seed, operators, arrayFilters);
  if (isPlainObject(setOnInsert)) runOperators(seed, { $set: setOnInsert }, undefined);
  return withIdFirst(seed);
}
