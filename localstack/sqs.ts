import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ConfigError } from '../lib/errors';
import { LocalStackError } from './errors';
import { MAX_PORT } from './ports';
import { stopChild } from './child-process';

/** The port LocalStack serves SQS on, so the same endpoint works with either stack. */
export const DEFAULT_SQS_PORT = 4566;
export const DEFAULT_SQS_REGION = 'us-east-1';

/** The emulator itself starts in about 60 ms; the limit covers loading Node.js and fauxqs on a slow host. */
const READY_TIMEOUT_MS = 15_000;
/** How long the emulator gets to close its connections after SIGTERM before it gets SIGKILL. */
const STOP_GRACE_MS = 5_000;

const SERVER_SCRIPT = join(__dirname, 'sqs-server.mjs');
const OPERATION = 'start-sqs-server';

export interface SqsServerOptions {
  /** Port on 127.0.0.1 (default 4566); 0 picks a free port. */
  port?: number;
  /** Region for queue ARNs when a request is not signed (default us-east-1); signed requests use their own. */
  region?: string;
  /** Receives startup lines and anything the emulator writes to stdout besides its ready line. */
  onProgress?: (line: string) => void;
}

export interface RunningSqsServer {
  /** Endpoint for SQS clients, such as `http://127.0.0.1:4566`. */
  endpoint: string;
  port: number;
  /** Process id of the emulator's Node.js process. */
  pid: number;
  /** Stops the emulator (SIGTERM, then SIGKILL after 5 s) and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

interface ServerLine {
  event?: string;
  port?: number;
  endpoint?: string;
  code?: string;
  message?: string;
}

/**
 * Starts the fauxqs SQS emulator bound to 127.0.0.1 in a child Node.js process (fauxqs is ESM only, so
 * CommonJS code and jest cannot load it in process). Queue URLs it returns look like
 * `http://127.0.0.1:<port>/000000000000/<name>`, and requests reach the queue whatever host their QueueUrl names.
 *
 * Throws {@link ConfigError} for a port outside 0-65535. Throws {@link LocalStackError} when the port is in use
 * (the message names it), when the process exits before it is ready, or when it is not ready within 15 s.
 */
export async function startSqsServer(options: SqsServerOptions = {}): Promise<RunningSqsServer> {
  const port = options.port ?? DEFAULT_SQS_PORT;
  const region = options.region ?? DEFAULT_SQS_REGION;
  const progress = options.onProgress ?? (() => {});
  if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) {
    throw new ConfigError(`SQS port ${port} is invalid; use an integer from 0 to ${MAX_PORT} (0 picks a free port)`, {
      setting: 'port',
      operation: OPERATION,
    });
  }

  progress(`starting the fauxqs SQS emulator on 127.0.0.1:${port === 0 ? '(any free port)' : port}`);
  // The IPC channel closes when this process exits, which makes the emulator stop with it.
  const child = spawn(process.execPath, [SERVER_SCRIPT, '--port', String(port), '--region', region], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });

  let ready: ServerLine;
  try {
    ready = await waitForReadyLine(child, progress, () => stderr);
  } catch (error) {
    await stopChild(child, exited, STOP_GRACE_MS);
    throw error;
  }

  const endpoint = ready.endpoint as string;
  progress(`SQS emulator ready at ${endpoint}`);
  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    port: ready.port as number,
    pid: child.pid as number,
    stop() {
      stopping ??= stopChild(child, exited, STOP_GRACE_MS);
      return stopping;
    },
  };
}

function waitForReadyLine(child: ChildProcess, progress: (line: string) => void, stderr: () => string): Promise<ServerLine> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const timer = setTimeout(() => {
      finish(new LocalStackError(`the SQS emulator was not ready within ${READY_TIMEOUT_MS / 1000} s`, { operation: OPERATION }));
    }, READY_TIMEOUT_MS);
    let settled = false;
    const finish = (result: Error | ServerLine) => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (result instanceof Error) {
        reject(result);
      } else {
        resolve(result);
      }
    };

    lines.on('line', (text) => {
      const line = parseLine(text);
      if (line?.event === 'ready') {
        finish(line);
      } else if (line?.event === 'error') {
        finish(new LocalStackError(`the SQS emulator failed to start: ${line.message ?? line.code}`, { operation: OPERATION }));
      } else {
        progress(text);
      }
    });
    child.once('error', (error) => {
      finish(new LocalStackError(`cannot start ${SERVER_SCRIPT}: ${error.message}`, { operation: OPERATION, cause: error }));
    });
    child.once('close', (code, signal) => {
      const detail = stderr().trim();
      finish(
        new LocalStackError(
          `the SQS emulator exited before it was ready (${code ?? signal})${detail === '' ? '' : `: ${detail}`}`,
          { operation: OPERATION },
        ),
      );
    });
  });
}

function parseLine(text: string): ServerLine | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as ServerLine) : undefined;
  } catch {
    return undefined;
  }
}

