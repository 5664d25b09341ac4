/** Options of startMongoWireServer, with their defaults and validation. */
import { isIPv4 } from 'node:net';
import { ConfigError } from '../../lib/errors';

export interface MongoWireServerOptions {
  /** Loopback address to listen on: `127.0.0.1` (default), another `127.x.x.x`, `::1` or `localhost`. */
  host?: string;
  /** TCP port; 0 (default) picks a free port. */
  port?: number;
  /** Act as a mongos: `hello` returns `msg: 'isdbgrid'` and `enableSharding` / `shardCollection` are accepted. Default false. */
  mongos?: boolean;
  /** Record every command received, for tests to read through `server.commands()`. Default false. */
  recordCommands?: boolean;
  /** Milliseconds between TTL sweeps (MongoDB uses 60,000). Default 5,000; at least 10. */
  ttlIntervalMs?: number;
  /** Receives server-side problems: protocol violations, socket errors, server bugs. Default: one line each on stderr. */
  log?: (message: string) => void;
}

export type ResolvedOptions = Required<MongoWireServerOptions>;

export const DEFAULT_TTL_INTERVAL_MS = 5_000;
const MIN_TTL_INTERVAL_MS = 10;
/** setInterval's largest delay (2^31 - 1 ms); longer delays fire at once. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

const OPTION_NAMES = ['host', 'port', 'mongos', 'recordCommands', 'ttlIntervalMs', 'log'] as const;

function writeToStderr(message: string): void {
  process.stderr.write(`[mongo-wire] ${message}\n`);
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
}

function invalid(setting: string, message: string): ConfigError {
  return new ConfigError(`invalid MongoDB test server option '${setting}': ${message}`, { setting, operation: 'startMongoWireServer' });
}

/**
 * Applies defaults and validates the options.
 * @throws ConfigError naming the option, the bad value and the accepted values.
 */
export function resolveOptions(options: MongoWireServerOptions): ResolvedOptions {
  for (const name of Object.keys(options)) {
    if (!(OPTION_NAMES as readonly string[]).includes(name)) {
      throw invalid(name, `unknown option; valid options are ${OPTION_NAMES.join(', ')}`);
    }
  }

  const host = options.host ?? '127.0.0.1';
  if (typeof host !== 'string' || !isLoopback(host)) {
    throw invalid('host', `${JSON.stringify(host)} is not a loopback address; this test server listens only on 127.0.0.1, ::1 or localhost`);
  }

  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw invalid('port', `${JSON.stringify(port)} is not a TCP port; use an integer from 0 to 65535 (0 picks a free port)`);
  }

  const mongos = options.mongos ?? false;
  if (typeof mongos !== 'boolean') throw invalid('mongos', `${JSON.stringify(mongos)} is not a boolean; use true or false`);

  const recordCommands = options.recordCommands ?? false;
  if (typeof recordCommands !== 'boolean') throw invalid('recordCommands', `${JSON.stringify(recordCommands)} is not a boolean; use true or false`);

  const ttlIntervalMs = options.ttlIntervalMs ?? DEFAULT_TTL_INTERVAL_MS;
  if (!Number.isInteger(ttlIntervalMs) || ttlIntervalMs < MIN_TTL_INTERVAL_MS || ttlIntervalMs > MAX_TIMER_DELAY_MS) {
    throw invalid(
      'ttlIntervalMs',
      `${JSON.stringify(ttlIntervalMs)} is out of range; use an integer number of milliseconds from ${MIN_TTL_INTERVAL_MS} to ${MAX_TIMER_DELAY_MS}`,
    );
  }

  const log = options.log ?? writeToStderr;
  if (typeof log !== 'function') throw invalid('log', 'must be a function that takes one message string');

  return { host, port, mongos, recordCommands, ttlIntervalMs, log };
}
