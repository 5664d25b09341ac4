/**
 * `insert`, `update` and `delete`. Each statement either succeeds or becomes one `writeErrors`
 * entry. As in MongoDB, an ordered command (the default) stops at its first failed statement,
 * and an unordered one carries on.
 */
import type { Document } from 'bson';
import { CommandError } from '../errors';
import { applyUpdate, buildUpsertDocument, classifyUpdate } from '../store/apply-update';
import { assertCollectionName } from '../store/catalog';
import type { Collection } from '../store/collection';
import { isPlainObject, withIdFirst } from '../store/document-shape';
import { selectDocuments } from '../store/select';
import { documentArray, optionalBoolean } from './arguments';
import type { CommandContext } from './context';

interface WriteTally {
  writeErrors: Document[];
}

/**
 * Runs `statement` for each entry and collects CommandErrors as write errors; any other error
 * is a server bug and fails the whole command.
 */
function runStatements<T>(entries: T[], ordered: boolean, tally: WriteTally, statement: (entry: T, index: number) => void): void {
  for (const [index, entry] of entries.entries()) {
    try {
      statement(entry, index);
    } catch (error) {
      if (!(error instanceof CommandError)) throw error;
      tally.writeErrors.push(error.toWriteError(index));
      if (ordered) return;
    }
  }
}

function withWriteErrors(reply: Document, tally: WriteTally): Document {
  return tally.writeErrors.length > 0 ? { ...reply, writeErrors: tally.writeErrors } : reply;
}

export function insertCommand(command: Document, context: CommandContext): Document {
  const name: unknown = command.insert;
  assertCollectionName(name, 'insert');
  const documents = documentArray(command, 'insert', 'documents');
  const ordered = optionalBoolean(command, 'insert', 'ordered') ?? true;
  const collection = context.state.catalog.getOrCreate(context.database, name);

  let inserted = 0;
  const tally: WriteTally = { writeErrors: [] };
  runStatements(documents, ordered, tally, (document) => {
    collection.insert(withIdFirst(document));
    inserted += 1;
  });
  return withWriteErrors({ n: inserted, ok: 1 }, tally);
}

interface UpdateStatement {
  q: Document;
  u: unknown;
  upsert: boolean;
  multi: boolean;
  arrayFilters: Document[] | undefined;
  sort: Document | undefined;
}

function parseUpdateStatement(raw: Document): UpdateStatement {
  if (!isPlainObject(raw.q)) throw new CommandError('TypeMismatch', `update statement 'q' must be a document, got ${JSON.stringify(raw.q)}`);
  const kind = classifyUpdate(raw.u);
  const multi = optionalBoolean(raw, 'update', 'multi') ?? false;
  if (multi && kind === 'replacement') {
    throw new CommandError('FailedToParse', 'multi update is not supported for replacement-style update');
  }
  const arrayFilters: unknown = raw.arrayFilters;
  return {
    q: raw.q,
    u: raw.u,
    upsert: optionalBoolean(raw, 'update', 'upsert') ?? false,
    multi,
    arrayFilters: Array.isArray(arrayFilters) ? (arrayFilters as Document[]) : undefined,
    sort: isPlainObject(raw.sort) ? raw.sort : undefined,
  };
}

export function updateCommand(command: Document, context: CommandContext): Document {
  const name: unknown = command.update;
  assertCollectionName(name, 'update');
  const statements = documentArray(command, 'update', 'updates');
  const ordered = optionalBoolean(command, 'update', 'ordered') ?? true;
  const { catalog } = context.state;

  let matched = 0;
  let modified = 0;
  const upserted: Document[] = [];
  const tally: WriteTally = { writeErrors: [] };

  runStatements(statements, ordered, tally, (raw, index) => {
    const statement = parseUpdateStatement(raw);
    const existing = catalog.get(context.database, name);
    const limit = statement.multi ? undefined : 1;
    const targets = selectDocuments(existing, statement.q, { limit, sort: statement.sort });

    if (targets.length === 0) {
      if (!statement.upsert) return;
      const document = buildUpsertDocument(statement.q, statement.u, statement.arrayFilters);
      catalog.getOrCreate(context.database, name).insert(document);
      upserted.push({ index, _id: document._id });
      return;
    }

    const collection = existing as Collection;
    for (const current of targets) {
      const outcome = applyUpdate(current, statement.u, { arrayFilters: statement.arrayFilters, inserting: false });
      matched += 1;
      if (!outcome.modified) continue;
      collection.replace(current, outcome.document);
      modified += 1;
    }
  });

  const reply: Document = { n: matched + upserted.length, nModified: modified, ok: 1 };
  if (upserted.length > 0) reply.upserted = upserted;
  return withWriteErrors(reply, tally);
}

export function deleteCommand(command: Document, context: CommandContext): Document {
  const name: unknown = command.delete;
  assertCollectionName(name, 'delete');
  const statements = documentArray(command, 'delete', 'deletes');
  const ordered = optionalBoolean(command, 'delete', 'ordered') ?? true;
  const collection = context.state.catalog.get(context.database, name);

  let deleted = 0;
  const tally: WriteTally = { writeErrors: [] };
  runStatements(statements, ordered, tally, (raw) => {
    if (!isPlainObject(raw.q)) throw new CommandError('TypeMismatch', `delete statement 'q' must be a document, got ${JSON.stringify(raw.q)}`);
    const limit: unknown = raw.limit;
    if (limit !== 0 && limit !== 1) {
      throw new CommandError('BadValue', `delete statement 'limit' must be 0 (all matches) or 1 (one match), got ${JSON.stringify(limit)}`);
    }
    const targets = selectDocuments(collection, raw.q, { limit: limit === 1 ? 1 : undefined });
    for (const target of targets) {
      if (collection!.remove(target)) deleted += 1;
    }
  });
  return withWriteErrors({ n: deleted, ok: 1 }, tally);
}
