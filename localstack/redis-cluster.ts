import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type Redis from 'ioredis';
import { ConfigError } from '../lib/errors';
import { LocalStackError } from './errors';
import { isPortFree, LOOPBACK_HOST, MAX_PORT } from './ports';
import { CLUSTER_READY_TIMEOUT_MS, connectToNode, waitForClusterReady, waitForPing } from './redis-cluster-health';
import { nodeDirectory, nodeLogfile, spawnRedisNode, stopLeftoverNode, type RedisNodeProcess } from './redis-node';

/** Three masters with one replica each: the smallest cluster `redis-cli --cluster create --cluster-replicas 1` accepts. */
export const CLUSTER_NODE_COUNT = 6;
const MASTER_COUNT = 3;

/** Redis 7 listens for the cluster bus on the node port plus 10000 unless `cluster-port` is set. */
export const CLUSTER_BUS_PORT_OFFSET = 10_000;

/** The plain Redis other tools on this machine use; the cluster never starts on it. */
export const PLAIN_REDIS_PORT = 6379;

/** Ports below 1024 need root. */
const MIN_BASE_PORT = 1024;
const MAX_BASE_PORT = MAX_PORT - CLUSTER_BUS_PORT_OFFSET - (CLUSTER_NODE_COUNT - 1);

const OPERATION = 'start-redis-cluster';
const INSTALL_HINT = 'install it with `sudo apt-get install redis-server` (Debian and Ubuntu; it also provides redis-cli)';

export interface RedisClusterOptions {
  /** First node port; the nodes use basePort..basePort+5 and their bus ports basePort+10000..basePort+10005. */
  basePort: number;
  /** Directory for the per-node directories `node-<port>`; created when missing. */
  dir: string;
  /** Receives one line per startup step. */
  onProgress?: (line: string) => void;
}

export interface RedisClusterNode {
  host: string;
  port: number;
}

export interface RunningRedisCluster {
  /** Seed nodes for an ioredis `Cluster`, in port order. */
  nodes: RedisClusterNode[];
  /** Process ids of the six redis-server children, in port order (a restarted node has a new one). */
  readonly pids: number[];
  /** Sends SIGKILL to the node on `port`, as a crash would, and resolves once it has exited. */
  killNode(port: number): Promise<void>;
  /**
   * Starts the node on `port` again after {@link killNode}, keeping its `nodes.conf`, so it rejoins the cluster
   * (as a replica when its master role failed over meanwhile). Resolves once every node reports
   * `cluster_state:ok` and every master has an online replica again; throws {@link LocalStackError} after 60 s.
   */
  restartNode(port: number): Promise<void>;
  /**
   * Stops the six redis-server processes this call started (SIGTERM, then SIGKILL after 5 s) and resolves
   * once they have exited. Safe to call twice. The node directories, with their config and logs, stay.
   */
  stop(): Promise<void>;
}

/**
 * Starts a six-node Redis Cluster (three masters, three replicas) of `redis-server` child processes on
 * 127.0.0.1 and resolves once every node reports `cluster_state:ok` and every master has an online replica.
 * A redis-server left running by an earlier run with the same `dir` is stopped first.
 *
 * Throws {@link ConfigError} when `basePort` is not an integer from 1024 to 55530 or its range includes 6379.
 * Throws {@link LocalStackError} when redis-server or redis-cli is missing, when a node or bus port is in use,
 * when a node exits during startup, or when the cluster is not ready within 60 s. On any failure the
 * processes started so far are stopped.
 */
export async function startRedisCluster(options: RedisClusterOptions): Promise<RunningRedisCluster> {
  const { basePort, dir } = options;
  const progress = options.onProgress ?? (() => {});
  const ports = clusterPorts(basePort);
  const startedAt = Date.now();
  const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;

  await assertBinaryInstalled('redis-server');
  await assertBinaryInstalled('redis-cli');
  await freePorts(ports, dir, progress);

  const nodes: RedisNodeProcess[] = [];
  const clients: Redis[] = [];
  // Stops the wait loops that lost a race against a failure, so no timer outlives a failed start.
  const startup = new AbortController();
  const stopNodes = async () => {
    startup.abort();
    for (const client of clients) {
      client.disconnect();
    }
    await Promise.all(nodes.map((node) => node.stop()));
  };

  try {
    progress(`starting ${CLUSTER_NODE_COUNT} redis-server nodes on ${LOOPBACK_HOST}:${ports[0]}-${ports.at(-1)} under ${dir}`);
    for (const port of ports) {
      nodes.push(await spawnRedisNode(port, nodeDirectory(dir, port)));
    }
    const earlyExit = rejectOnEarlyExit(nodes);
    for (const port of ports) {
      clients.push(connectToNode(port));
    }

    await Promise.race([earlyExit.promise, waitForPing(clients, ports, startup.signal)]);
    progress(`all ${CLUSTER_NODE_COUNT} nodes respond to PING (${elapsed()})`);

    await Promise.race([earlyExit.promise, createCluster(ports, progress)]);
    progress(`slots assigned, waiting for cluster_state:ok and replicas on every node (${elapsed()})`);

    const shape = { nodeCount: CLUSTER_NODE_COUNT, masterCount: MASTER_COUNT };
    await Promise.race([earlyExit.promise, waitForClusterReady(clients, ports, shape, progress, startup.signal)]);
    earlyExit.cancel();
    for (const client of clients.splice(0)) {
      client.disconnect();
    }
    progress(`Redis Cluster ready on ${LOOPBACK_HOST}:${ports[0]}-${ports.at(-1)} (${elapsed()})`);
  } catch (error) {
    await stopNodes();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const nodeOn = (port: number): RedisNodeProcess => {
    const node = nodes.find((candidate) => candidate.port === port);
    if (node === undefined) {
      throw new ConfigError(`port ${port} is not a node of this cluster; use one of ${ports.join(', ')}`, { setting: 'port', operation: OPERATION });
    }
    return node;
  };
  return {
    nodes: ports.map((port) => ({ host: LOOPBACK_HOST, port })),
    get pids() {
      return nodes.map((node) => node.pid);
    },
    killNode: (port) => nodeOn(port).kill(),
    async restartNode(port) {
      const old = nodeOn(port);
      await old.stop();
      nodes[nodes.indexOf(old)] = await spawnRedisNode(port, old.directory, { rejoin: true });
      const health = ports.map((nodePort) => connectToNode(nodePort));
      try {
        const shape = { nodeCount: CLUSTER_NODE_COUNT, masterCount: MASTER_COUNT };
        await waitForClusterReady(health, ports, shape, progress, new AbortController().signal);
      } finally {
        for (const client of health) {
          client.disconnect();
        }
      }
    },
    stop() {
      stopping ??= stopNodes();
      return stopping;
    },
  };
}

/** Validates `basePort` and returns the six node ports. */
function clusterPorts(basePort: number): number[] {
  if (!Number.isInteger(basePort) || basePort < MIN_BASE_PORT || basePort > MAX_BASE_PORT) {
    throw new ConfigError(
      `basePort ${basePort} is invalid; use an integer from ${MIN_BASE_PORT} to ${MAX_BASE_PORT} so the six node ports and their bus ports (port + ${CLUSTER_BUS_PORT_OFFSET}) fit under ${MAX_PORT}`,
      { setting: 'basePort', operation: OPERATION },
    );
  }
  const ports = Array.from({ length: CLUSTER_NODE_COUNT }, (_, index) => basePort + index);
  if (ports.includes(PLAIN_REDIS_PORT)) {
    throw new ConfigError(
      `basePort ${basePort} puts a cluster node on port ${PLAIN_REDIS_PORT}, the port of the plain Redis; choose a base port whose six ports avoid ${PLAIN_REDIS_PORT}, such as 7000`,
      { setting: 'basePort', operation: OPERATION },
    );
  }
  return ports;
}

function assertBinaryInstalled(binary: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // An explicit env makes PATH changes of the calling context count (jest gives each test file its own process.env).
    execFile(binary, ['--version'], { env: process.env }, (error) => {
      if (error === null) {
        resolve();
        return;
      }
      const notFound = (error as NodeJS.ErrnoException).code === 'ENOENT';
      const message = notFound
        ? `${binary} is not installed or not on PATH; ${INSTALL_HINT}`
        : `${binary} --version failed: ${error.message}; reinstall it or ${INSTALL_HINT}`;
      reject(new LocalStackError(message, { operation: OPERATION, cause: error }));
    });
  });
}

/** Stops leftovers of an earlier run, then checks that every node port and bus port is free. */
async function freePorts(ports: number[], dir: string, progress: (line: string) => void): Promise<void> {
  for (const port of ports) {
    if (await isPortFree(port)) {
      continue;
    }
    const pid = await stopLeftoverNode(nodeDirectory(dir, port), port);
    if (pid !== undefined) {
      progress(`stopped redis-server pid ${pid} left on port ${port} by an earlier run`);
    }
  }
  for (const port of ports.flatMap((nodePort) => [nodePort, nodePort + CLUSTER_BUS_PORT_OFFSET])) {
    if (!(await isPortFree(port))) {
      throw new LocalStackError(
        `port ${port} on ${LOOPBACK_HOST} is in use, but the cluster needs ports ${ports[0]}-${ports.at(-1)} and their bus ports ${(ports[0] ?? 0) + CLUSTER_BUS_PORT_OFFSET}-${(ports.at(-1) ?? 0) + CLUSTER_BUS_PORT_OFFSET}; stop the process listening on port ${port} (find it with \`ss -ltnp 'sport = :${port}'\`) or choose another base port`,
        { operation: OPERATION },
      );
    }
  }
}

/** Creates a promise that rejects as soon as any node exits before startup is over, with the end of that node's log. */
function rejectOnEarlyExit(nodes: RedisNodeProcess[]): { promise: Promise<never>; cancel(): void } {
  let cancelled = false;
  const promise = new Promise<never>((_, reject) => {
    for (const node of nodes) {
      void node.exited.then(async (outcome) => {
        if (cancelled) {
          return;
        }
        const log = await readLogTail(nodeLogfile(node.directory));
        reject(
          new LocalStackError(
            `redis-server on port ${node.port} exited during startup (${outcome}); the end of ${nodeLogfile(node.directory)} reads:\n${log}`,
            { operation: OPERATION },
          ),
        );
      });
    }
  });
  // Rejections after cancel() or a lost race must not surface as unhandled.
  promise.catch(() => {});
  return {
    promise,
    cancel() {
      cancelled = true;
    },
  };
}

async function readLogTail(file: string, lineCount = 10): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lineCount).join('\n');
  } catch {
    return '(no log written)';
  }
}

/** Runs `redis-cli --cluster create`, forwarding its step lines (`>>>`, `[OK]`, `[ERR]`) as progress. */
function createCluster(ports: number[], progress: (line: string) => void): Promise<void> {
  const addresses = ports.map((port) => `${LOOPBACK_HOST}:${port}`);
  const args = ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'];
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { env: process.env, timeout: CLUSTER_READY_TIMEOUT_MS }, (error, stdout, stderr) => {
      // redis-cli colours its step lines even when its output is not a terminal.
      const output = `${stdout}${stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
      for (const line of output.split('\n')) {
        if (/^(>>>|\[OK\]|\[ERR\])/.test(line)) {
          progress(`redis-cli: ${line.trim()}`);
        }
      }
      if (error !== null) {
        reject(
          new LocalStackError(`redis-cli --cluster create ${addresses.join(' ')} failed: ${error.message}\n${output.trim()}`, {
            operation: OPERATION,
            cause: error,
          }),
        );
        return;
      }
      resolve();
    });
  });
}
