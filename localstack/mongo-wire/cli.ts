/**
 * Runs the MongoDB wire-protocol test server in the foreground:
 *
 *   npx tsx localstack/mongo-wire/cli.ts --port 27027 [--host 127.0.0.1] [--mongos] [--ttl-interval-ms 5000]
 *
 * Prints one ready line with the connection string, and stops on SIGINT or SIGTERM. Exit codes:
 * 0 after a clean stop, 1 when the server cannot start, 2 for a bad flag or flag value.
 */
import { ConfigError } from '../../lib/errors';
import { DEFAULT_TTL_INTERVAL_MS, startMongoWireServer, type MongoWireServerOptions } from './index';

const DEFAULT_PORT = 27017;

const USAGE = `Usage: npx tsx localstack/mongo-wire/cli.ts [flags]

Starts the Sluice MongoDB wire-protocol test server (a test double, data kept in memory).

Flags:
  --port N              TCP port to listen on, 0 for a free port (default ${DEFAULT_PORT})
  --host ADDRESS        loopback address: 127.0.0.1, ::1 or localhost (default 127.0.0.1)
  --mongos              act as a mongos: hello returns msg 'isdbgrid', sharding commands are accepted
  --ttl-interval-ms N   milliseconds between TTL index sweeps (default ${DEFAULT_TTL_INTERVAL_MS})
  --help                print this help`;

class UsageError extends Error {}

function integerFlag(flag: string, value: string | undefined, example: string): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new UsageError(`${flag} needs a non-negative integer, got ${value === undefined ? 'nothing' : `'${value}'`}; for example ${flag} ${example}`);
  }
  return Number(value);
}

function parseFlags(argv: string[]): MongoWireServerOptions | 'help' {
  const options: MongoWireServerOptions = { port: DEFAULT_PORT };
  for (let position = 0; position < argv.length; position += 1) {
    const flag = argv[position]!;
    switch (flag) {
      case '--help':
      case '-h':
        return 'help';
      case '--port':
        position += 1;
        options.port = integerFlag(flag, argv[position], '27027');
        break;
      case '--host': {
        position += 1;
        const host = argv[position];
        if (host === undefined) throw new UsageError('--host needs an address; for example --host 127.0.0.1');
        options.host = host;
        break;
      }
      case '--mongos':
        options.mongos = true;
        break;
      case '--ttl-interval-ms':
        position += 1;
        options.ttlIntervalMs = integerFlag(flag, argv[position], String(DEFAULT_TTL_INTERVAL_MS));
        break;
      default:
        throw new UsageError(`unknown flag '${flag}'; valid flags are --port, --host, --mongos, --ttl-interval-ms and --help`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: MongoWireServerOptions | 'help';
  try {
    options = parseFlags(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`mongo-wire: ${error.message}\nRun with --help for usage.\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  let server;
  try {
    server = await startMongoWireServer(options);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`mongo-wire: ${error.message}\nRun with --help for usage.\n`);
      process.exit(2);
    }
    const failure = error as NodeJS.ErrnoException;
    const hint = failure.code === 'EADDRINUSE' ? `; another process uses port ${options.port}: pick another with --port` : '';
    process.stderr.write(`mongo-wire: failed to start: ${failure.message}${hint}\n`);
    process.exit(1);
  }

  const mode = server.mongos ? 'mongos' : 'standalone';
  process.stdout.write(`MongoDB wire test server ready (${mode}) at ${server.uri}\n`);

  const stop = (signal: string): void => {
    process.stdout.write(`mongo-wire: ${signal} received, stopping\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`mongo-wire: failed to stop cleanly: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

void main();
