/**
 * `findAndModify`: finds the first document in `sort` order and updates or removes it in the
 * same synchronous step, so two concurrent claims of one document cannot both succeed.
 */
import type { Document } from 'bson';
import { CommandError } from '../errors';
import { applyUpdate, buildUpsertDocument, classifyUpdate } from '../store/apply-update';
import { assertCollectionName } from '../store/catalog';
import { projectDocuments, selectDocuments } from '../store/select';
import { optionalBoolean, optionalDocument } from './arguments';
import type { CommandContext } from './context';

interface FindAndModifyRequest {
  query: Document;
  sort: Document | undefined;
  remove: boolean;
  update: unknown;
  returnNew: boolean;
  upsert: boolean;
  fields: Document | undefined;
  arrayFilters: Document[] | undefined;
}

function parseRequest(command: Document): FindAndModifyRequest {
  const remove = optionalBoolean(command, 'findAndModify', 'remove') ?? false;
  const returnNew = optionalBoolean(command, 'findAndModify', 'new') ?? false;
  const upsert = optionalBoolean(command, 'findAndModify', 'upsert') ?? false;
  const update: unknown = command.update;

  if (remove && update !== undefined) throw new CommandError('FailedToParse', "findAndModify cannot specify both 'remove' and 'update'");
  if (!remove && update === undefined) throw new CommandError('FailedToParse', "findAndModify needs either 'update' or 'remove: true'");
  if (remove && (upsert || returnNew)) throw new CommandError('FailedToParse', "findAndModify with 'remove' cannot use 'upsert' or 'new'");
  if (update !== undefined) classifyUpdate(update);

  const arrayFilters: unknown = command.arrayFilters;
  return {
    query: optionalDocument(command, 'findAndModify', 'query') ?? {},
    sort: optionalDocument(command, 'findAndModify', 'sort'),
    remove,
    update,
    returnNew,
    upsert,
    fields: optionalDocument(command, 'findAndModify', 'fields'),
    arrayFilters: Array.isArray(arrayFilters) ? (arrayFilters as Document[]) : undefined,
  };
}

function project(document: Document | null, fields: Document | undefined): Document | null {
  return document === null ? null : projectDocuments([document], fields)[0]!;
}

export function findAndModifyCommand(command: Document, context: CommandContext): Document {
  const name: unknown = command.findAndModify ?? command.findandmodify;
  assertCollectionName(name, 'findAndModify');
  const request = parseRequest(command);
  const { catalog } = context.state;
  const existing = catalog.get(context.database, name);
  const [target] = selectDocuments(existing, request.query, { sort: request.sort, limit: 1 });

  if (request.remove) {
    if (target === undefined) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    existing!.remove(target);
    return { lastErrorObject: { n: 1 }, value: project(target, request.fields), ok: 1 };
  }

  if (target !== undefined) {
    const outcome = applyUpdate(target, request.update, { arrayFilters: request.arrayFilters, inserting: false });
    if (outcome.modified) existing!.replace(target, outcome.document);
    return {
      lastErrorObject: { n: 1, updatedExisting: true },
      value: project(request.returnNew ? outcome.document : target, request.fields),
      ok: 1,
    };
  }

  if (!request.upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };

  const document = buildUpsertDocument(request.query, request.update, request.arrayFilters);
  catalog.getOrCreate(context.database, name).insert(document);
  return {
    lastErrorObject: { n: 1, updatedExisting: false, upserted: document._id },
    value: project(request.returnNew ? document : null, request.fields),
    ok: 1,
  };
}
