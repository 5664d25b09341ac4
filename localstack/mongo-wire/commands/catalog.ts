/** Collection and database management: `create`, `drop`, `dropDatabase`, `listCollections`. */
import type { Document } from 'bson';
import { CommandError } from '../errors';
import { assertCollectionName } from '../store/catalog';
import { ID_INDEX_DEFINITION } from '../store/index-spec';
import { compileFilter } from '../store/select';
import { optionalBoolean, optionalDocument } from './arguments';
import type { CommandContext } from './context';

/** `create` options that change how a real collection behaves, which this server would silently ignore. */
const UNSUPPORTED_CREATE_OPTIONS = [
  'capped',
  'size',
  'max',
  'validator',
  'validationLevel',
  'validationAction',
  'viewOn',
  'pipeline',
  'timeseries',
  'clusteredIndex',
  'expireAfterSeconds',
  'collation',
  'encryptedFields',
  'changeStreamPreAndPostImages',
];

export function createCommand(command: Document, context: CommandContext): Document {
  const name: unknown = command.create;
  assertCollectionName(name, 'create');
  const unsupported = UNSUPPORTED_CREATE_OPTIONS.find((option) => command[option] !== undefined);
  if (unsupported !== undefined) {
    throw new CommandError('BadValue', `create option '${unsupported}' is not supported by the Sluice MongoDB test server`);
  }
  context.state.catalog.create(context.database, name);
  return { ok: 1 };
}

/** Drops a collection. Dropping a missing one succeeds, as the MongoDB manual documents for `db.collection.drop()`. */
export function dropCommand(command: Document, context: CommandContext): Document {
  const name: unknown = command.drop;
  assertCollectionName(name, 'drop');
  const dropped = context.state.catalog.drop(context.database, name);
  const namespace = `${context.database}.${name}`;
  context.state.sharding.forget(namespace);
  if (dropped === undefined) return { ok: 1 };
  return { ns: namespace, nIndexesWas: dropped.indexDefinitions().length, ok: 1 };
}

export function dropDatabaseCommand(_command: Document, context: CommandContext): Document {
  context.state.catalog.dropDatabase(context.database);
  context.state.sharding.forget(context.database);
  return { dropped: context.database, ok: 1 };
}

/** Lists collections, filtered by `filter` (on `name`, `type`, `options`, `info`) with mingo. */
export function listCollectionsCommand(command: Document, context: CommandContext): Document {
  const filter = optionalDocument(command, 'listCollections', 'filter') ?? {};
  const nameOnly = optionalBoolean(command, 'listCollections', 'nameOnly') ?? false;
  const cursorOptions = optionalDocument(command, 'listCollections', 'cursor') ?? {};
  const query = compileFilter(filter);

  const entries = context.state.catalog
    .list(context.database)
    .map((collection): Document => ({
      name: collection.name,
      type: 'collection',
      options: {},
      info: { readOnly: false, uuid: collection.uuid },
      idIndex: ID_INDEX_DEFINITION,
    }))
    .filter((entry) => query.test(entry))
    .map((entry) => (nameOnly ? { name: entry.name, type: entry.type } : entry));

  const batchSize = typeof cursorOptions.batchSize === 'number' ? cursorOptions.batchSize : undefined;
  const cursor = context.state.cursors.open(`${context.database}.$cmd.listCollections`, entries, batchSize, false);
  return { cursor, ok: 1 };
}
