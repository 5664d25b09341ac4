/**
 * Routes a command document to its handler by its first field name, as mongod does, and turns
 * every failure into an `ok: 0` reply. Commands outside the table get CommandNotFound with the
 * list of commands this test server implements.
 */
import type { Document } from 'bson';
import { buildInfoCommand, endSessionsCommand, pingCommand } from './commands/admin';
import { aggregateCommand } from './commands/aggregate';
import { createCommand, dropCommand, dropDatabaseCommand, listCollectionsCommand } from './commands/catalog';
import type { CommandContext, CommandHandler } from './commands/context';
import { getMoreCommand, killCursorsCommand } from './commands/cursor-commands';
import { countCommand, findCommand } from './commands/find';
import { findAndModifyCommand } from './commands/find-and-modify';
import { helloCommand } from './commands/handshake';
import { createIndexesCommand, listIndexesCommand } from './commands/indexes';
import { enableShardingCommand, shardCollectionCommand } from './commands/sharding';
import { deleteCommand, insertCommand, updateCommand } from './commands/write';
import { CommandError } from './errors';
import { assertDatabaseName } from './store/catalog';

const COMMANDS: Readonly<Record<string, CommandHandler>> = {
  hello: helloCommand,
  isMaster: helloCommand,
  ismaster: helloCommand,
  ping: pingCommand,
  buildInfo: buildInfoCommand,
  buildinfo: buildInfoCommand,
  endSessions: endSessionsCommand,
  insert: insertCommand,
  update: updateCommand,
  delete: deleteCommand,
  find: findCommand,
  getMore: getMoreCommand,
  killCursors: killCursorsCommand,
  count: countCommand,
  findAndModify: findAndModifyCommand,
  findandmodify: findAndModifyCommand,
  aggregate: aggregateCommand,
  createIndexes: createIndexesCommand,
  listIndexes: listIndexesCommand,
  listCollections: listCollectionsCommand,
  create: createCommand,
  drop: dropCommand,
  dropDatabase: dropDatabaseCommand,
};

const MONGOS_COMMANDS: Readonly<Record<string, CommandHandler>> = {
  enableSharding: enableShardingCommand,
  shardCollection: shardCollectionCommand,
};

/** Legacy spellings that MongoDB also accepts; left out of the CommandNotFound list. */
const ALIASES = new Set(['isMaster', 'ismaster', 'buildinfo', 'findandmodify']);

/** Lists the command names a server runs, for the CommandNotFound message. */
export function implementedCommands(mongos: boolean): string[] {
  const names = Object.keys(COMMANDS).concat(mongos ? Object.keys(MONGOS_COMMANDS) : []);
  return names.filter((name) => !ALIASES.has(name)).sort((a, b) => a.localeCompare(b));
}

function findHandler(name: string, mongos: boolean): CommandHandler | undefined {
  if (Object.hasOwn(COMMANDS, name)) return COMMANDS[name];
  if (mongos && Object.hasOwn(MONGOS_COMMANDS, name)) return MONGOS_COMMANDS[name];
  return undefined;
}

function rejectTransactions(command: Document): void {
  if (command.startTransaction === true || command.autocommit === false) {
    throw new CommandError('IllegalOperation', 'transactions are not supported by the Sluice MongoDB test server');
  }
}

/**
 * Runs one command and returns its reply, turning every thrown error into an `ok: 0` reply.
 * `log` receives server bugs (errors that are not CommandErrors), which get InternalError.
 */
export function runCommand(command: Document, context: CommandContext, log: (message: string) => void): Document {
  const name = Object.keys(command)[0] ?? '';
  context.state.commandLog?.push({ name, database: context.database, command });
  try {
    const handler = findHandler(name, context.state.mongos);
    if (handler === undefined) {
      throw new CommandError(
        'CommandNotFound',
        `no such command: '${name}'; the Sluice MongoDB test server implements only: ${implementedCommands(context.state.mongos).join(', ')}`,
      );
    }
    assertDatabaseName(context.database);
    rejectTransactions(command);
    return handler(command, context);
  } catch (error) {
    if (error instanceof CommandError) return error.toReply();
    const failure = error as Error;
    log(`command '${name}' on database '${context.database}' failed: ${failure.stack ?? String(failure)}`);
    return new CommandError('InternalError', `the Sluice MongoDB test server failed on '${name}': ${failure.message}`).toReply();
  }
}
