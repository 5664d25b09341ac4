/**
 * One client connection: cuts the byte stream into messages, replies to OP_MSG commands and the
 * legacy OP_QUERY handshake, and closes the socket on anything it cannot parse. Messages are
 * handled one at a time, in order, and each command runs to completion before the next starts.
 */
import type { Socket } from 'node:net';
import type { Document } from 'bson';
import type { ServerState } from './commands/context';
import { runCommand } from './dispatch';
import { CommandError } from './errors';
import { MessageReader, OpCode, ProtocolError, type WireMessage } from './wire/framing';
import { encodeOpMsgReply, parseOpMsg } from './wire/op-msg';
import { encodeOpReply, parseOpQuery } from './wire/op-query';

/** Commands a client may send as OP_QUERY: the handshake only, as in MongoDB 5.1+. */
const OP_QUERY_COMMANDS = new Set(['hello', 'isMaster', 'ismaster']);

/** Socket errors that only mean the client went away. */
const DISCONNECT_CODES = new Set(['ECONNRESET', 'EPIPE']);

export class Connection {
  private readonly reader = new MessageReader();
  private nextRequestId = 1;

  constructor(
    private readonly socket: Socket,
    private readonly state: ServerState,
    readonly id: number,
    private readonly log: (message: string) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (!DISCONNECT_CODES.has(error.code ?? '')) this.log(`connection ${this.id}: socket error: ${error.message}`);
    });
  }

  /** Closes the socket at once. */
  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    try {
      for (const message of this.reader.push(chunk)) {
        const reply = this.respond(message);
        if (reply !== undefined) this.socket.write(reply);
      }
    } catch (error) {
      // A framing or BSON error leaves the stream at an unknown position, so the connection cannot continue.
      const reason = error instanceof ProtocolError ? error.message : `unreadable message: ${(error as Error).message}`;
      this.log(`connection ${this.id}: closing: ${reason}`);
      this.socket.destroy();
    }
  }

  private respond(message: WireMessage): Buffer | undefined {
    const { opCode, requestId } = message.header;
    if (opCode === OpCode.msg) {
      const { command, moreToCome } = parseOpMsg(message.body);
      const database: unknown = command.$db;
      const reply = this.run(command, typeof database === 'string' ? database : '');
      return moreToCome ? undefined : encodeOpMsgReply(this.takeRequestId(), requestId, reply);
    }

    if (opCode === OpCode.query) {
      const { namespace, command } = parseOpQuery(message.body);
      const name = Object.keys(command)[0] ?? '';
      const database = namespace.endsWith('.$cmd') ? namespace.slice(0, -'.$cmd'.length) : '';
      const reply =
        database !== '' && OP_QUERY_COMMANDS.has(name)
          ? this.run(command, database)
          : new CommandError(
              'UnsupportedOpQueryCommand',
              `Unsupported OP_QUERY command: ${name}. The Sluice MongoDB test server accepts OP_QUERY only for the hello handshake; send other commands as OP_MSG`,
            ).toReply();
      return encodeOpReply(this.takeRequestId(), requestId, reply);
    }

    throw new ProtocolError(`opCode ${opCode} is not supported: this server speaks OP_MSG and the OP_QUERY handshake only`);
  }

  private run(command: Document, database: string): Document {
    return runCommand(command, { state: this.state, database, connectionId: this.id }, this.log);
  }

  private takeRequestId(): number {
    const id = this.nextRequestId;
    this.nextRequestId = (this.nextRequestId % 0x7fffffff) + 1;
    return id;
  }
}
