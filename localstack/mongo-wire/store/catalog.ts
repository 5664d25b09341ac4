/** Databases and their collections, created on first write as MongoDB does. */
import { CommandError } from '../errors';
import { Collection, type UpdateListener } from './collection';

// MongoDB rejects these characters in database names (on every platform it supports).
const INVALID_DATABASE_CHARACTERS = /[/\\. "$*<>:|?\0]/;

/**
 * Validates a database name.
 * @throws CommandError InvalidNamespace naming the bad name.
 */
export function assertDatabaseName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || INVALID_DATABASE_CHARACTERS.test(name)) {
    throw new CommandError('InvalidNamespace', `Invalid database name: '${String(name)}'`);
  }
}

/**
 * Validates a collection name taken from a command.
 * @throws CommandError InvalidNamespace naming the bad name.
 */
export function assertCollectionName(name: unknown, command: string): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.includes('$') || name.includes('\0')) {
    throw new CommandError('InvalidNamespace', `Invalid collection name for '${command}': ${JSON.stringify(name)}`);
  }
}

export class Catalog {
  private readonly databases = new Map<string, Map<string, Collection>>();
  private readonly updateListeners = new Set<UpdateListener>();

  /** Calls `listener` after every document update in any collection; returns a function that removes it. */
  watchUpdates(listener: UpdateListener): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** Returns the collection, or undefined when it does not exist. */
  get(database: string, name: string): Collection | undefined {
    return this.databases.get(database)?.get(name);
  }

  /** Returns the collection, creating it (and its database) when missing. */
  getOrCreate(database: string, name: string): Collection {
    return this.get(database, name) ?? this.create(database, name);
  }

  /**
   * Creates an empty collection.
   * @throws CommandError NamespaceExists when it already exists.
   */
  create(database: string, name: string): Collection {
    let collections = this.databases.get(database);
    if (collections === undefined) {
      collections = new Map();
      this.databases.set(database, collections);
    }
    if (collections.has(name)) throw new CommandError('NamespaceExists', `Collection ${database}.${name} already exists.`);

    const collection = new Collection(database, name, (changed, before, after) => {
      for (const listener of this.updateListeners) listener(changed, before, after);
    });
    collections.set(name, collection);
    return collection;
  }

  /** Drops a collection; returns it, or undefined when it did not exist. */
  drop(database: string, name: string): Collection | undefined {
    const collections = this.databases.get(database);
    const collection = collections?.get(name);
    collections?.delete(name);
    return collection;
  }

  /** Drops a database and all its collections. */
  dropDatabase(database: string): void {
    this.databases.delete(database);
  }

  /** Returns the collections of one database. */
  list(database: string): Collection[] {
    return [...(this.databases.get(database)?.values() ?? [])];
  }

  /** Yields every collection of every database. */
  *all(): Generator<Collection> {
    for (const collections of this.databases.values()) yield* collections.values();
  }
}
