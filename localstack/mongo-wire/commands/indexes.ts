/** `createIndexes` and `listIndexes`. */
import type { Document } from 'bson';
import { CommandError } from '../errors';
import { assertCollectionName } from '../store/catalog';
import { parseIndexSpec } from '../store/index-spec';
import { optionalDocument } from './arguments';
import type { CommandContext } from './context';

/**
 * Creates indexes one by one; an index identical to an existing one is skipped. The collection
 * is created when missing.
 */
export function createIndexesCommand(command: Document, context: CommandContext): Document {
  const name: unknown = command.createIndexes;
  assertCollectionName(name, 'createIndexes');
  const rawSpecs: unknown = command.indexes;
  if (!Array.isArray(rawSpecs) || rawSpecs.length === 0) {
    throw new CommandError('BadValue', `'createIndexes.indexes' must be a non-empty array of index specifications, got ${JSON.stringify(rawSpecs)}`);
  }
  const specs = rawSpecs.map(parseIndexSpec);

  const { catalog } = context.state;
  const createdCollectionAutomatically = catalog.get(context.database, name) === undefined;
  const collection = catalog.getOrCreate(context.database, name);
  const numIndexesBefore = collection.indexDefinitions().length;

  for (const spec of specs) {
    if (spec.fields.length === 1 && spec.fields[0]!.path === '_id' && spec.fields[0]!.direction === 1) {
      // The _id index always exists.
      continue;
    }
    collection.createIndex(spec);
  }

  const numIndexesAfter = collection.indexDefinitions().length;
  const reply: Document = { numIndexesBefore, numIndexesAfter, createdCollectionAutomatically, ok: 1 };
  if (numIndexesAfter === numIndexesBefore) reply.note = 'all indexes already exist';
  return reply;
}

/**
 * Lists the indexes of a collection, `_id_` first.
 * @throws CommandError NamespaceNotFound when the collection does not exist, as MongoDB does.
 */
export function listIndexesCommand(command: Document, context: CommandContext): Document {
  const name: unknown = command.listIndexes;
  assertCollectionName(name, 'listIndexes');
  const collection = context.state.catalog.get(context.database, name);
  const namespace = `${context.database}.${name}`;
  if (collection === undefined) throw new CommandError('NamespaceNotFound', `ns does not exist: ${namespace}`);

  const cursorOptions = optionalDocument(command, 'listIndexes', 'cursor') ?? {};
  const batchSize = typeof cursorOptions.batchSize === 'number' ? cursorOptions.batchSize : undefined;
  const cursor = context.state.cursors.open(namespace, collection.indexDefinitions(), batchSize, false);
  return { cursor, ok: 1 };
}
