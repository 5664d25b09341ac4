import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { stopChild } from './child-process';
import { LocalStackError } from './errors';

/** `serverless offline` builds with esbuild and is ready in about 2 s here; the limit covers a cold npm cache. */
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;
const ROOT = join(__dirname, '..');

export interface OfflineOptions {
  httpPort: number;
  lambdaPort: number;
  stage: string;
  /** Environment of the functions: connection settings of the local services. */
  env: Record<string, string>;
  onProgress?: (line: string) => void;
  /** Receives every line the functions log (JSON from Powertools); default: dropped. */
  onLog?: (line: string) => void;
}

export interface RunningOffline {
  httpEndpoint: string;
  lambdaEndpoint: string;
  pid: number;
  stop(): Promise<void>;
  /** Sends SIGKILL, as a crash would, and resolves once the process has exited. */
  kill(): Promise<void>;
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** serverless-offline replaces every authorizer's result with the JSON of AUTHORIZER when it is set. */
function withoutAuthorizerOverride(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AUTHORIZER: _ignored, ...rest } = env;
  return rest;
}

/**
 * Starts `serverless offline` (osls with serverless-esbuild and serverless-offline) as a child
 * process bound to 127.0.0.1, and resolves once both its HTTP API and its Lambda Invoke API accept
 * connections. Throws {@link LocalStackError} when it exits early or is not ready within 90 s.
 */
export async function startOffline(options: OfflineOptions): Promise<RunningOffline> {
  const progress = options.onProgress ?? (() => {});
  progress(`starting serverless offline (HTTP 127.0.0.1:${options.httpPort}, Lambda 127.0.0.1:${options.lambdaPort})`);
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'osls', 'bin', 'serverless.js'), 'offline', 'start', '--stage', options.stage], {
    cwd: ROOT,
    env: {
      ...withoutAuthorizerOverride(process.env),
      ...options.env,
      SLUICE_HTTP_PORT: String(options.httpPort),
      SLUICE_LAMBDA_PORT: String(options.lambdaPort),
      SLS_TELEMETRY_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-20_000);
    for (const line of text.split('\n')) {
      if (line.trim() !== '') {
        options.onLog?.(line);
      }
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );

  const stop = (): Promise<void> => stopChild(child, exited, STOP_GRACE_MS);

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exitCode !== undefined) {
      throw new LocalStackError(`serverless offline exited with code ${exitCode} before it was ready; its output ends with:\n${output.slice(-3000)}`, {
        operation: 'start-offline',
      });
    }
    if ((await portAccepts(options.httpPort)) && (await portAccepts(options.lambdaPort))) {
      break;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new LocalStackError(`serverless offline was not ready within ${READY_TIMEOUT_MS / 1000} s; its output ends with:\n${output.slice(-3000)}`, {
        operation: 'start-offline',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  progress(`serverless offline is ready (pid ${child.pid})`);
  return {
    httpEndpoint: `http://127.0.0.1:${options.httpPort}`,
    lambdaEndpoint: `http://127.0.0.1:${options.lambdaPort}`,
    pid: child.pid as number,
    stop,
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
