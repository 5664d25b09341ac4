/** `find` and `count`. */
import type { Document } from 'bson';
import { assertCollectionName } from '../store/catalog';
import { projectDocuments, selectDocuments } from '../store/select';
import { optionalBoolean, optionalCount, optionalDocument, optionalInteger } from './arguments';
import type { CommandContext } from './context';

export function findCommand(command: Document, context: CommandContext): Document {
  const name: unknown = command.find;
  assertCollectionName(name, 'find');
  const filter = optionalDocument(command, 'find', 'filter') ?? {};
  const sort = optionalDocument(command, 'find', 'sort');
  const projection = optionalDocument(command, 'find', 'projection');
  const skip = optionalCount(command, 'find', 'skip');
  const batchSize = optionalCount(command, 'find', 'batchSize');
  let limit = optionalInteger(command, 'find', 'limit');
  let singleBatch = optionalBoolean(command, 'find', 'singleBatch') ?? false;

  // A negative limit requests one batch of at most |limit| documents, and 0 means no limit.
  if (limit !== undefined && limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  if (limit === 0) limit = undefined;

  const collection = context.state.catalog.get(context.database, name);
  const documents = selectDocuments(collection, filter, { sort, skip, limit });
  const namespace = `${context.database}.${name}`;
  const cursor = context.state.cursors.open(namespace, projectDocuments(documents, projection), batchSize, singleBatch);
  return { cursor, ok: 1 };
}

/** Counts matching documents; `estimatedDocumentCount` in the driver sends this with no query. */
export function countCommand(command: Document, context: CommandContext): Document {
  const name: unknown = command.count;
  assertCollectionName(name, 'count');
  const query = optionalDocument(command, 'count', 'query') ?? {};
  const skip = optionalCount(command, 'count', 'skip') ?? 0;
  const rawLimit = optionalInteger(command, 'count', 'limit') ?? 0;
  const limit = rawLimit === 0 ? undefined : Math.abs(rawLimit);
  const collection = context.state.catalog.get(context.database, name);

  let total: number;
  if (collection === undefined) total = 0;
  else if (Object.keys(query).length === 0) total = collection.size;
  else total = selectDocuments(collection, query).length;

  const afterSkip = Math.max(0, total - skip);
  return { n: limit === undefined ? afterSkip : Math.min(afterSkip, limit), ok: 1 };
}
