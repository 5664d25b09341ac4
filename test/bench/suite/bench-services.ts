/**
 * The services the benchmark measures against: the MongoDB wire-protocol test server (its CLI
 * under tsx), a six-node Redis Cluster, the fauxqs SQS emulator, and a plain redis-server for
 * BullMQ. Each runs in its own process, so the drivers' CPU time does not include theirs.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stopChild } from '../../../localstack/child-process';
import { isPortFree } from '../../../localstack/ports';
import { startRedisCluster } from '../../../localstack/redis-cluster';
import { startSqsServer } from '../../../localstack/sqs';
import { freePort } from '../../support/free-port';

const STOP_GRACE_MS = 5_000;
const READY_TIMEOUT_MS = 30_000;
const MONGO_WIRE_CLI = join(__dirname, '..', '..', '..', 'localstack', 'mongo-wire', 'cli.ts');

export interface BenchServicesOptions {
  /** First port of the six Redis Cluster nodes. */
  redisBasePort: number;
  /** Ports to try, in order, for BullMQ's plain redis-server. */
  bullmqRedisPorts: number[];
  onProgress: (line: string) => void;
}

export interface BenchServices {
  mongodbUri: string;
  redisNodes: string[];
  sqsEndpoint: string;
  bullmqRedisPort: number;
  /** Stops every service started, in reverse order. Safe to call twice. */
  stop(): Promise<void>;
}

/** Resolves with the first stdout line of `child` that `match` accepts; rejects when it exits first or after 30 s. */
function waitForLine(child: ChildProcess, match: (line: string) => boolean, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} was not ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (match(line)) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited before it was ready (${code ?? signal})`));
    });
  });
}

async function startMongoWire(): Promise<{ uri: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = fork(MONGO_WIRE_CLI, ['--port', String(port)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const line = await waitForLine(child, (text) => text.includes('ready'), 'the MongoDB wire-protocol test server');
    const uri = /mongodb:\/\/\S+/.exec(line)?.[0];
    if (!uri) {
      throw new Error(`the MongoDB wire-protocol test server printed no connection string: ${line}`);
    }
    return { uri, stop: () => stopChild(child, exited, STOP_GRACE_MS) };
  } catch (error) {
    await stopChild(child, exited, STOP_GRACE_MS);
    throw error;
  }
}

async function startPlainRedis(ports: number[]): Promise<{ port: number; stop(): Promise<void> }> {
  for (const port of ports) {
    if (!(await isPortFree(port))) {
      continue;
    }
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await waitForLine(child, (text) => text.includes('Ready to accept connections'), `redis-server on port ${port}`);
    } catch (error) {
      await stopChild(child, exited, STOP_GRACE_MS);
      throw error;
    }
    child.stdout?.resume();
    return { port, stop: () => stopChild(child, exited, STOP_GRACE_MS) };
  }
  throw new Error(
    `no free port for BullMQ's redis-server among ${ports[0]}-${ports[ports.length - 1]}; pick other ports with --bullmq-redis-ports or stop what listens there`,
  );
}

/** Starts every service; on a failure, stops the ones already started and rethrows. */
export async function startBenchServices(options: BenchServicesOptions): Promise<BenchServices> {
  const stoppers: (() => Promise<void>)[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      for (const stopOne of stoppers.reverse()) {
        await stopOne().catch((error: unknown) => options.onProgress(`stop failed: ${(error as Error).message}`));
      }
    })();
    return stopping;
  };
  try {
    options.onProgress('starting the MongoDB wire-protocol test server (a test double, not a real MongoDB)');
    const mongo = await startMongoWire();
    stoppers.push(mongo.stop);

    const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-redis-'));
    stoppers.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const cluster = await startRedisCluster({ basePort: options.redisBasePort, dir: dataDir, onProgress: options.onProgress });
    stoppers.push(() => cluster.stop());

    const sqs = await startSqsServer({ port: 0, onProgress: options.onProgress });
    stoppers.push(() => sqs.stop());

    const plainRedis = await startPlainRedis(options.bullmqRedisPorts);
    stoppers.push(plainRedis.stop);
    options.onProgress(`BullMQ's redis-server listens on 127.0.0.1:${plainRedis.port}`);

    return {
      mongodbUri: mongo.uri,
      redisNodes: cluster.nodes.map((node) => `${node.host}:${node.port}`),
      sqsEndpoint: sqs.endpoint,
      bullmqRedisPort: plainRedis.port,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
