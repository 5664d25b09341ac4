/**
 * OP_MSG (opCode 2013): flagBits, then sections. Kind 0 carries the command document, and kind 1
 * carries a document sequence (`documents`, `updates` or `deletes`) that belongs to the command
 * as an array field of that name.
 */
import { deserialize, serialize, type Document } from 'bson';
import { frameMessage, OpCode, ProtocolError } from './framing';

const Flag = {
  checksumPresent: 1 << 0,
  moreToCome: 1 << 1,
} as const;

const SectionKind = {
  body: 0,
  documentSequence: 1,
} as const;

const CHECKSUM_SIZE = 4;

export interface OpMsgRequest {
  /** The command document with every document sequence merged in as an array field. */
  command: Document;
  /** The client sent an unacknowledged write (`w: 0`) and expects no reply. */
  moreToCome: boolean;
}

/**
 * Parses the body of an OP_MSG.
 * @throws ProtocolError when the sections are malformed or the body section is missing.
 */
export function parseOpMsg(body: Buffer): OpMsgRequest {
  const flagBits = body.readUInt32LE(0);
  const end = flagBits & Flag.checksumPresent ? body.length - CHECKSUM_SIZE : body.length;
  let command: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];

  let offset = 4;
  while (offset < end) {
    const kind = body.readUInt8(offset);
    offset += 1;

    if (kind === SectionKind.body) {
      const size = body.readInt32LE(offset);
      command = deserialize(body.subarray(offset, offset + size));
      offset += size;
    } else if (kind === SectionKind.documentSequence) {
      const size = body.readInt32LE(offset);
      const sectionEnd = offset + size;
      const nameEnd = body.indexOf(0, offset + 4);
      if (nameEnd < 0 || nameEnd >= sectionEnd) throw new ProtocolError('OP_MSG document sequence has no identifier');
      const identifier = body.toString('utf8', offset + 4, nameEnd);

      const documents: Document[] = [];
      let documentOffset = nameEnd + 1;
      while (documentOffset < sectionEnd) {
        const documentSize = body.readInt32LE(documentOffset);
        documents.push(deserialize(body.subarray(documentOffset, documentOffset + documentSize)));
        documentOffset += documentSize;
      }
      sequences.push([identifier, documents]);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`OP_MSG section kind ${kind} is unknown: expected 0 or 1`);
    }
  }

  if (command === undefined) throw new ProtocolError('OP_MSG has no body section (kind 0)');
  for (const [identifier, documents] of sequences) {
    command[identifier] = documents;
  }
  return { command, moreToCome: (flagBits & Flag.moreToCome) !== 0 };
}

/** Encodes a reply as an OP_MSG with a single body section. */
export function encodeOpMsgReply(requestId: number, responseTo: number, reply: Document): Buffer {
  const flagsAndKind = Buffer.alloc(5);
  flagsAndKind.writeUInt32LE(0, 0);
  flagsAndKind.writeUInt8(SectionKind.body, 4);
  return frameMessage(requestId, responseTo, OpCode.msg, [flagsAndKind, serialize(reply, { ignoreUndefined: true })]);
}
