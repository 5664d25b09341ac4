/**
 * Message framing of the MongoDB wire protocol: every message starts with a 16-byte header
 * (messageLength, requestID, responseTo, opCode, all little-endian int32).
 */

export const OpCode = {
  reply: 1,
  query: 2004,
  compressed: 2012,
  msg: 2013,
} as const;

export const HEADER_SIZE = 16;

/** MongoDB's `maxMessageSizeBytes` (48,000,000 bytes); larger messages are protocol violations. */
export const MAX_MESSAGE_SIZE_BYTES = 48_000_000;

export interface MessageHeader {
  messageLength: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export interface WireMessage {
  header: MessageHeader;
  /** The bytes after the header. */
  body: Buffer;
}

/** A peer broke the framing or sent something this server cannot parse; the connection is closed. */
export class ProtocolError extends Error {}

/** Collects socket chunks and cuts them into whole wire messages. */
export class MessageReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  /**
   * Appends a chunk and returns every message that is now complete, in arrival order.
   * @throws ProtocolError when a header declares a length outside 16 to 48,000,000 bytes.
   */
  push(chunk: Buffer): WireMessage[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const messages: WireMessage[] = [];

    while (this.pendingBytes >= HEADER_SIZE) {
      const buffered = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [buffered];

      const messageLength = buffered.readInt32LE(0);
      if (messageLength < HEADER_SIZE || messageLength > MAX_MESSAGE_SIZE_BYTES) {
        throw new ProtocolError(`invalid message length ${messageLength}: expected 16 to ${MAX_MESSAGE_SIZE_BYTES} bytes`);
      }
      if (buffered.length < messageLength) break;

      messages.push({
        header: {
          messageLength,
          requestId: buffered.readInt32LE(4),
          responseTo: buffered.readInt32LE(8),
          opCode: buffered.readInt32LE(12),
        },
        body: buffered.subarray(HEADER_SIZE, messageLength),
      });

      const rest = buffered.subarray(messageLength);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
    }
    return messages;
  }
}

/** Builds a complete message: header followed by the given body parts. */
export function frameMessage(requestId: number, responseTo: number, opCode: number, parts: Uint8Array[]): Buffer {
  const bodyLength = parts.reduce((total, part) => total + part.length, 0);
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeInt32LE(HEADER_SIZE + bodyLength, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(opCode, 12);
  return Buffer.concat([header, ...parts], HEADER_SIZE + bodyLength);
}
