import type { Document } from 'bson';

/** A collection sharded through `shardCollection`. */
export interface ShardedCollection {
  namespace: string;
  key: Document;
  unique: boolean;
}

/** Record of the sharding commands, for tests to inspect. */
export interface ShardingSnapshot {
  /** Databases passed to `enableSharding`, in call order. */
  databases: string[];
  collections: ShardedCollection[];
}

/** Records `enableSharding` and `shardCollection` calls made in mongos mode. */
export class ShardingRegistry {
  private readonly databases = new Set<string>();
  private readonly collections = new Map<string, ShardedCollection>();

  enableDatabase(database: string): void {
    this.databases.add(database);
  }

  /** Returns the recorded sharding of a namespace. */
  getCollection(namespace: string): ShardedCollection | undefined {
    return this.collections.get(namespace);
  }

  shardCollection(sharded: ShardedCollection): void {
    this.collections.set(sharded.namespace, sharded);
  }

  /** Forgets the collections of a dropped database or the dropped collection, as mongos does. */
  forget(namespacePrefix: string): void {
    for (const namespace of this.collections.keys()) {
      if (namespace === namespacePrefix || namespace.startsWith(`${namespacePrefix}.`)) this.collections.delete(namespace);
    }
  }

  /** Returns a copy of the record. */
  snapshot(): ShardingSnapshot {
    return {
      databases: [...this.databases],
      collections: [...this.collections.values()].map((sharded) => ({ ...sharded, key: { ...sharded.key } })),
    };
  }
}
