/** Starts and stops the TCP server and its maintenance timer (TTL sweeps, idle cursors). */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Document } from 'bson';
import type { RecordedCommand, ServerState } from './commands/context';
import { ShardingRegistry, type ShardingSnapshot } from './commands/sharding-registry';
import { Connection } from './connection';
import { CursorRegistry } from './cursors';
import { resolveOptions, type MongoWireServerOptions } from './options';
import { Catalog } from './store/catalog';
import { sweepExpiredDocuments } from './ttl-monitor';

export interface MongoWireServer {
  /** Connection string for the driver, for example `mongodb://127.0.0.1:27027/?directConnection=true`. */
  readonly uri: string;
  readonly host: string;
  /** The port in use, also when 0 was requested. */
  readonly port: number;
  readonly mongos: boolean;
  /** Returns the calls `enableSharding` and `shardCollection` recorded (mongos mode). */
  sharding(): ShardingSnapshot;
  /** Returns the commands received so far, oldest first; empty unless started with `recordCommands`. */
  commands(): RecordedCommand[];
  /** Runs a TTL sweep now; returns how many documents it deleted. */
  sweepExpired(): number;
  /** For tests: TCP connections accepted since the server started, and those open now. */
  connectionCounts(): { accepted: number; open: number };
  /**
   * Closes every client connection at once, as a network failure would, and keeps listening, so
   * clients reconnect. A command already run stays applied even when its reply is lost. Test use
   * only. Returns how many connections it closed.
   */
  dropAllConnections(): number;
  /**
   * Calls `listener` synchronously after every update of a stored document (update, findAndModify),
   * with the namespace and the versions before and after. Inserts and deletes are not reported.
   * Test use only. Returns a function that removes the listener.
   */
  watchUpdates(listener: (namespace: string, before: Document, after: Document) => void): () => void;
  /** Stops listening, closes every client connection and the timer. Safe to call twice. */
  close(): Promise<void>;
}

function uriHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts a MongoDB wire-protocol test server on a loopback address.
 * @throws ConfigError for an invalid option; the listen error (for example EADDRINUSE) when the port is taken.
 */
export async function startMongoWireServer(options: MongoWireServerOptions = {}): Promise<MongoWireServer> {
  const resolved = resolveOptions(options);
  const state: ServerState = {
    catalog: new Catalog(),
    cursors: new CursorRegistry(),
    mongos: resolved.mongos,
    sharding: new ShardingRegistry(),
    ...(resolved.recordCommands ? { commandLog: [] } : {}),
  };

  const connections = new Set<Connection>();
  let nextConnectionId = 1;
  const tcpServer = createServer((socket: Socket) => {
    const connection = new Connection(socket, state, nextConnectionId, resolved.log);
    nextConnectionId += 1;
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
  });

  await new Promise<void>((resolve, reject) => {
    tcpServer.once('error', reject);
    tcpServer.listen(resolved.port, resolved.host, () => {
      tcpServer.off('error', reject);
      resolve();
    });
  });
  tcpServer.on('error', (error) => resolved.log(`server error: ${error.message}`));

  const sweepExpired = (): number => sweepExpiredDocuments(state.catalog, Date.now());
  const timer = setInterval(() => {
    sweepExpired();
    state.cursors.closeIdle(Date.now());
  }, resolved.ttlIntervalMs);
  timer.unref();

  const port = (tcpServer.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    uri: `mongodb://${uriHost(resolved.host)}:${port}/?directConnection=true`,
    host: resolved.host,
    port,
    mongos: resolved.mongos,
    sharding: () => state.sharding.snapshot(),
    commands: () => [...(state.commandLog ?? [])],
    sweepExpired,
    connectionCounts: () => ({ accepted: nextConnectionId - 1, open: connections.size }),
    dropAllConnections: () => {
      const count = connections.size;
      for (const connection of connections) connection.destroy();
      return count;
    },
    watchUpdates: (listener) => state.catalog.watchUpdates((collection, before, after) => listener(collection.namespace, before, after)),
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        clearInterval(timer);
        tcpServer.close((error) => (error === undefined ? resolve() : reject(error)));
        for (const connection of connections) connection.destroy();
      });
      return closing;
    },
  };
}
