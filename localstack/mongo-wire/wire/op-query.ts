/**
 * Legacy OP_QUERY (opCode 2004) and OP_REPLY (opCode 1). Drivers still open each connection
 * with an OP_QUERY `ismaster` on `admin.$cmd`, and the reply to it must be an OP_REPLY.
 * Everything after the handshake travels as OP_MSG.
 */
import { deserialize, serialize, type Document } from 'bson';
import { frameMessage, OpCode, ProtocolError } from './framing';

export interface OpQueryRequest {
  /** Full collection name, for example `admin.$cmd`. */
  namespace: string;
  /** The query document with a `$query` wrapper removed. */
  command: Document;
}

/**
 * Parses the body of an OP_QUERY.
 * @throws ProtocolError when the namespace is not NUL-terminated.
 */
export function parseOpQuery(body: Buffer): OpQueryRequest {
  const nameEnd = body.indexOf(0, 4);
  if (nameEnd < 0) throw new ProtocolError('OP_QUERY collection name is not NUL-terminated');
  const namespace = body.toString('utf8', 4, nameEnd);

  // numberToSkip and numberToReturn (two int32) sit between the name and the query document.
  const queryOffset = nameEnd + 1 + 8;
  const querySize = body.readInt32LE(queryOffset);
  const query = deserialize(body.subarray(queryOffset, queryOffset + querySize));

  // Drivers wrap the command in `$query` when they attach `$readPreference`.
  const wrapped: unknown = query.$query;
  const command = wrapped !== null && typeof wrapped === 'object' ? (wrapped as Document) : query;
  return { namespace, command };
}

/** Encodes a one-document OP_REPLY (responseFlags 0, cursorID 0, startingFrom 0). */
export function encodeOpReply(requestId: number, responseTo: number, reply: Document): Buffer {
  const prefix = Buffer.alloc(20);
  prefix.writeInt32LE(0, 0); // responseFlags
  prefix.writeBigInt64LE(0n, 4); // cursorID
  prefix.writeInt32LE(0, 12); // startingFrom
  prefix.writeInt32LE(1, 16); // numberReturned
  return frameMessage(requestId, responseTo, OpCode.reply, [prefix, serialize(reply, { ignoreUndefined: true })]);
}
