/** `getMore` and `killCursors`. */
import { Long, type Document } from 'bson';
import { CommandError } from '../errors';
import { optionalCount } from './arguments';
import type { CommandContext } from './context';

/** Reads a cursor id, which the driver sends as an int64 (a Long, or a number after promotion). */
function cursorId(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (Long.isLong(value)) return value.toNumber();
  throw new CommandError('TypeMismatch', `'${field}' must be a cursor id (int64), got ${JSON.stringify(value)}`);
}

export function getMoreCommand(command: Document, context: CommandContext): Document {
  const id = cursorId(command.getMore, 'getMore');
  const name: unknown = command.collection;
  // Not a plain collection name check: listCollections cursors live on `$cmd.listCollections`.
  if (typeof name !== 'string' || name.length === 0) {
    throw new CommandError('TypeMismatch', `'getMore.collection' must be a collection name, got ${JSON.stringify(name)}`);
  }
  const batchSize = optionalCount(command, 'getMore', 'batchSize');
  const cursor = context.state.cursors.getMore(id, `${context.database}.${name}`, batchSize === 0 ? undefined : batchSize);
  return { cursor, ok: 1 };
}

export function killCursorsCommand(command: Document, context: CommandContext): Document {
  const ids: unknown = command.cursors;
  if (!Array.isArray(ids)) throw new CommandError('TypeMismatch', `'killCursors.cursors' must be an array of cursor ids, got ${JSON.stringify(ids)}`);
  const { killed, notFound } = context.state.cursors.kill(ids.map((id) => cursorId(id, 'killCursors.cursors')));
  return {
    cursorsKilled: killed.map((id) => Long.fromNumber(id)),
    cursorsNotFound: notFound.map((id) => Long.fromNumber(id)),
    cursorsAlive: [],
    cursorsUnknown: [],
    ok: 1,
  };
}
