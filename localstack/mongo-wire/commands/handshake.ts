/**
 * `hello` (and its legacy names `isMaster` / `ismaster`): the reply that makes the driver treat
 * this server as a writable standalone, or as a mongos in mongos mode.
 *
 * Two fields are left out on purpose: `compression` would switch the driver to OP_COMPRESSED,
 * and `topologyVersion` would switch its monitoring to streaming (exhaust) hello, neither of
 * which this server speaks.
 */
import type { Document } from 'bson';
import type { CommandContext } from './context';

/** Wire version of MongoDB 7.0; driver 7.x needs at least 9 and accepts up to 29. */
export const MAX_WIRE_VERSION = 21;

/** The server version `buildInfo` reports, matching MAX_WIRE_VERSION. */
export const SERVER_VERSION = '7.0.0';

/** MongoDB's document size limit: 16 MiB. */
export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;

/** MongoDB's message size limit. */
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;

/** MongoDB's limit on statements per write command. */
export const MAX_WRITE_BATCH_SIZE = 100_000;

/** Builds the `hello` reply; a legacy `isMaster` gets `ismaster` instead of `isWritablePrimary`. */
export function helloCommand(command: Document, context: CommandContext): Document {
  const legacyName = 'ismaster' in command || 'isMaster' in command;
  const reply: Document = legacyName ? { ismaster: true } : { isWritablePrimary: true };
  if (context.state.mongos) reply.msg = 'isdbgrid';

  return {
    ...reply,
    helloOk: true,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    // The driver sends session ids (lsid) only when this field is present.
    logicalSessionTimeoutMinutes: 30,
    connectionId: context.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}
