import Redis from 'ioredis';
import { LocalStackError } from './errors';
import { delay, LOOPBACK_HOST } from './ports';

/** Redis Cluster splits the key space into 16384 hash slots; a usable cluster has every one assigned. */
export const CLUSTER_HASH_SLOTS = 16_384;

/** Every node responds to PING within about 0.2 s on a 2-core Linux VM. The limits leave room for slow CI hosts. */
const PING_TIMEOUT_MS = 10_000;
/** On a 2-core Linux VM every node reports `cluster_state:ok` with an online replica 2-4 s after the nodes start. */
export const CLUSTER_READY_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 100;

const OPERATION = 'start-redis-cluster';

/** Timeout of each health command, so a node that stops responding cannot stall the wait loop. */
const COMMAND_TIMEOUT_MS = 1_000;

/** Health of one node as reported by `CLUSTER INFO` and `INFO replication`. */
export interface NodeHealth {
  port: number;
  clusterStateOk: boolean;
  slotsAssigned: number;
  knownNodes: number;
  role: 'master' | 'replica';
  /** For a master, the replicas whose replication link is `state=online`; 0 for a replica. */
  onlineReplicas: number;
  /** For a replica, whether `master_link_status` is `up`; false for a master. */
  masterLinkUp: boolean;
}

/**
 * Opens a plain (non-cluster) connection to one node for health checks. Commands wait in the offline
 * queue while the node is still starting and fail after 1 s, so callers poll.
 */
export function connectToNode(port: number): Redis {
  const client = new Redis({
    host: LOOPBACK_HOST,
    port,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: COMMAND_TIMEOUT_MS,
    enableReadyCheck: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 100,
  });
  // Refused connections are expected while a node starts; failed commands carry the error to the caller.
  client.on('error', () => {});
  return client;
}

/** Parses the `key:value` lines of an INFO-style reply. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const separator = line.indexOf(':');
    if (separator > 0) {
      fields.set(line.slice(0, separator), line.slice(separator + 1).trim());
    }
  }
  return fields;
}

/** Queries `CLUSTER INFO` and `INFO replication` on one node; rejects when the node does not respond within 1 s. */
export async function readNodeHealth(client: Redis, port: number): Promise<NodeHealth> {
  const clusterInfo = parseInfo(String(await client.call('CLUSTER', 'INFO')));
  const replication = parseInfo(await client.info('replication'));
  const role = replication.get('role') === 'master' ? 'master' : 'replica';
  let onlineReplicas = 0;
  for (const [key, value] of replication) {
    // Each replica of a master appears as `slave<N>:ip=...,port=...,state=online,...`.
    if (/^slave\d+$/.test(key) && value.includes('state=online')) {
      onlineReplicas += 1;
    }
  }
  return {
    port,
    clusterStateOk: clusterInfo.get('cluster_state') === 'ok',
    slotsAssigned: Number(clusterInfo.get('cluster_slots_assigned') ?? 0),
    knownNodes: Number(clusterInfo.get('cluster_known_nodes') ?? 0),
    role,
    onlineReplicas: role === 'master' ? onlineReplicas : 0,
    masterLinkUp: role === 'replica' && replication.get('master_link_status') === 'up',
  };
}

/**
 * Lists what keeps the cluster from being ready. An empty list means that every node reports `cluster_state:ok`
 * with all slots assigned and all nodes known. It also means that every master has an online replica whose link is up.
 */
export function findClusterProblems(health: NodeHealth[], nodeCount: number, masterCount: number): string[] {
  const problems: string[] = [];
  const notOk = health.filter((node) => !node.clusterStateOk || node.slotsAssigned !== CLUSTER_HASH_SLOTS);
  if (notOk.length > 0) {
    problems.push(`cluster_state is not ok on port ${notOk.map((node) => node.port).join(', ')}`);
  }
  const partial = health.filter((node) => node.knownNodes !== nodeCount);
  if (partial.length > 0) {
    problems.push(`port ${partial.map((node) => node.port).join(', ')} does not know all ${nodeCount} nodes yet`);
  }
  const masters = health.filter((node) => node.role === 'master');
  if (masters.length !== masterCount) {
    problems.push(`${masters.length} masters instead of ${masterCount}`);
  }
  const lonely = masters.filter((node) => node.onlineReplicas < 1);
  if (lonely.length > 0) {
    problems.push(`master on port ${lonely.map((node) => node.port).join(', ')} has no online replica yet`);
  }
  const unlinked = health.filter((node) => node.role === 'replica' && !node.masterLinkUp);
  if (unlinked.length > 0) {
    problems.push(`replica on port ${unlinked.map((node) => node.port).join(', ')} has no master link yet`);
  }
  return problems;
}

/**
 * Resolves once every node responds to PING. Throws {@link LocalStackError} naming the first silent node after 10 s,
 * or the signal's reason once `signal` is aborted.
 */
export async function waitForPing(clients: Redis[], ports: number[], signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + PING_TIMEOUT_MS;
  for (const [index, client] of clients.entries()) {
    for (;;) {
      try {
        await client.ping();
        break;
      } catch (error) {
        if (Date.now() >= deadline) {
          throw new LocalStackError(
            `redis-server on port ${ports[index]} did not respond to PING within ${PING_TIMEOUT_MS / 1000} s; check its log under the cluster directory`,
            { operation: OPERATION, cause: error },
          );
        }
        signal.throwIfAborted();
        await delay(POLL_INTERVAL_MS);
      }
    }
  }
}

/** Expected cluster shape for {@link waitForClusterReady}. */
export interface ClusterShape {
  nodeCount: number;
  masterCount: number;
}

/**
 * Polls every node until {@link findClusterProblems} finds nothing, reporting each new list of problems as progress.
 * Throws {@link LocalStackError} with the remaining problems after 60 s, or the signal's reason once `signal` is aborted.
 */
export async function waitForClusterReady(
  clients: Redis[],
  ports: number[],
  shape: ClusterShape,
  progress: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + CLUSTER_READY_TIMEOUT_MS;
  let lastReport = '';
  for (;;) {
    const problems = await pollClusterProblems(clients, ports, shape);
    if (problems.length === 0) {
      return;
    }
    const report = problems.join('; ');
    if (report !== lastReport) {
      progress(`waiting: ${report}`);
      lastReport = report;
    }
    if (Date.now() >= deadline) {
      throw new LocalStackError(
        `the Redis Cluster on ports ${ports[0]}-${ports.at(-1)} was not ready within ${CLUSTER_READY_TIMEOUT_MS / 1000} s: ${report}; check the node logs under the cluster directory`,
        { operation: OPERATION },
      );
    }
    signal.throwIfAborted();
    await delay(POLL_INTERVAL_MS);
  }
}

async function pollClusterProblems(clients: Redis[], ports: number[], shape: ClusterShape): Promise<string[]> {
  const results = await Promise.allSettled(clients.map((client, index) => readNodeHealth(client, ports[index] ?? 0)));
  const health: NodeHealth[] = [];
  const silent: number[] = [];
  for (const [index, result] of results.entries()) {
    if (result.status === 'fulfilled') {
      health.push(result.value);
    } else {
      silent.push(ports[index] ?? 0);
    }
  }
  const problems = findClusterProblems(health, shape.nodeCount, shape.masterCount);
  if (silent.length > 0) {
    problems.unshift(`port ${silent.join(', ')} does not respond`);
  }
  return problems;
}
