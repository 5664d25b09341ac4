/**
 * `enableSharding` and `shardCollection`, available in mongos mode only. They record the request
 * (see ShardingRegistry) and create the shard key index; no data is distributed.
 */
import { EJSON, type Document } from 'bson';
import { CommandError } from '../errors';
import { assertCollectionName, assertDatabaseName } from '../store/catalog';
import { keyPattern, parseIndexSpec } from '../store/index-spec';
import { optionalBoolean } from './arguments';
import type { CommandContext } from './context';

function assertAdmin(command: string, context: CommandContext): void {
  if (context.database !== 'admin') {
    throw new CommandError('Unauthorized', `${command} may only be run against the admin database.`);
  }
}

export function enableShardingCommand(command: Document, context: CommandContext): Document {
  assertAdmin('enableSharding', context);
  const database: unknown = command.enableSharding;
  assertDatabaseName(database);
  context.state.sharding.enableDatabase(database);
  return { ok: 1 };
}

export function shardCollectionCommand(command: Document, context: CommandContext): Document {
  assertAdmin('shardCollection', context);
  const namespace: unknown = command.shardCollection;
  const separator = typeof namespace === 'string' ? namespace.indexOf('.') : -1;
  if (typeof namespace !== 'string' || separator <= 0) {
    throw new CommandError('InvalidNamespace', `shardCollection needs a namespace 'database.collection', got ${JSON.stringify(namespace)}`);
  }
  const database = namespace.slice(0, separator);
  const name = namespace.slice(separator + 1);
  assertDatabaseName(database);
  assertCollectionName(name, 'shardCollection');

  // parseIndexSpec validates the key pattern (1, -1 or 'hashed' per field) and rejects a unique hashed key.
  const unique = optionalBoolean(command, 'shardCollection', 'unique') ?? false;
  const keySpec = parseIndexSpec({ key: command.key, unique });
  const key = keyPattern(keySpec);

  const { sharding, catalog } = context.state;
  const previous = sharding.getCollection(namespace);
  if (previous !== undefined) {
    if (EJSON.stringify(previous.key) === EJSON.stringify(key)) return { collectionsharded: namespace, ok: 1 };
    throw new CommandError('AlreadyInitialized', `sharding already enabled for collection ${namespace} with key ${EJSON.stringify(previous.key)}`);
  }

  // mongos creates the shard key index unless an index on that key exists (`{ _id: 1 }` always does).
  const collection = catalog.getOrCreate(database, name);
  const printedKey = EJSON.stringify(key);
  if (!collection.indexDefinitions().some((definition) => EJSON.stringify(definition.key) === printedKey)) {
    collection.createIndex(keySpec);
  }

  sharding.shardCollection({ namespace, key, unique });
  return { collectionsharded: namespace, ok: 1 };
}
