import type { Document } from 'bson';
import type { CursorRegistry } from '../cursors';
import type { Catalog } from '../store/catalog';
import type { ShardingRegistry } from './sharding-registry';

/** Everything the commands share for the life of one server. */
export interface ServerState {
  catalog: Catalog;
  cursors: CursorRegistry;
  /** Reply to `hello` as a mongos (`msg: 'isdbgrid'`) and accept the sharding commands. */
  mongos: boolean;
  sharding: ShardingRegistry;
  /** Every command received, in order, when the server was started with `recordCommands`. */
  commandLog?: RecordedCommand[];
}

/** One command as the server received it. */
export interface RecordedCommand {
  /** The command name: the first field of the command document. */
  name: string;
  /** The `$db` the command ran against. */
  database: string;
  command: Document;
}

/** One command's surroundings: the server, the database from `$db`, and the connection it came on. */
export interface CommandContext {
  state: ServerState;
  database: string;
  connectionId: number;
}

/** Runs one command synchronously, so every command is atomic with respect to all others. */
export type CommandHandler = (command: Document, context: CommandContext) => Document;
