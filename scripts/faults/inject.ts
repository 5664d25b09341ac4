import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { connectToNode, readNodeHealth } from '../../localstack/redis-cluster-health';
import type { RunningLocalStack } from '../../localstack/stack';
import type { Receiver } from '../demo/receiver';
import { FaultKind, type PlannedFault } from './fault-plan';
import type { JobWatch } from './job-watch';

/** A kill waits at most this long for a webhook request in flight, so it strikes mid-batch. */
const MID_BATCH_WAIT_MS = 10_000;
/** After a connection drop, jobs claimed within this window may still lose a write to it. */
const MONGO_DROP_WINDOW_MS = 2_000;
/** The local cluster's cluster-node-timeout is 5 s; a failover finishes within a few seconds after it. */
const FAILOVER_TIMEOUT_MS = 30_000;

export interface InjectedFault {
  kind: PlannedFault['kind'];
  /** Seconds after the first enqueue when the fault struck. */
  atSeconds: number;
  /** What was hit and how the stack recovered, for the report. */
  detail: string;
  /** Jobs active when the fault struck: each may lose one attempt's outcome, and at most those. */
  exposed: Set<string>;
}

export interface InjectContext {
  stack: RunningLocalStack;
  receiver: Receiver;
  watch: JobWatch;
  sqs: SQSClient;
  random: () => number;
  /** Epoch milliseconds of the first enqueue. */
  startedAt: number;
  log: (line: string) => void;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const secondsSince = (epochMs: number) => (Date.now() - epochMs) / 1000;

/** Injects one fault and waits until the stack has recovered from it (restarted, failed over, reconnected). */
export async function injectFault(kind: PlannedFault['kind'], context: InjectContext): Promise<InjectedFault> {
  switch (kind) {
    case FaultKind.functionsCrash:
      return crashFunctions(context);
    case FaultKind.redisMasterKill:
      return killRedisMaster(context);
    case FaultKind.sqsRestart:
      return restartSqs(context);
    case FaultKind.mongoDrop:
      return dropMongoConnections(context);
  }
}

/**
 * SIGKILLs `serverless offline` while the receiver holds at least one webhook request open, so an
 * invocation is mid-batch. serverless-offline 14 runs Node.js handlers in worker threads of its own
 * process, so that process is the one running the handlers. The jobs active once it has exited are
 * exactly the leases its handlers held: nothing else writes to the store until the restart.
 */
async function crashFunctions(context: InjectContext): Promise<InjectedFault> {
  const { stack, receiver, watch } = context;
  const waitUntil = Date.now() + MID_BATCH_WAIT_MS;
  while (receiver.inFlight() === 0 && Date.now() < waitUntil) {
    await delay(10);
  }
  const requestsInFlight = receiver.inFlight();
  const atSeconds = secondsSince(context.startedAt);
  const killedPid = await stack.faults.killFunctions();
  const exposed = watch.activeNow();
  const restartStartedAt = Date.now();
  const newPid = await stack.faults.startFunctions();
  return {
    kind: FaultKind.functionsCrash,
    atSeconds,
    exposed,
    detail:
      `SIGKILL to serverless offline pid ${killedPid} with ${requestsInFlight} webhook requests in flight and ${exposed.size} jobs active; ` +
      `restarted as pid ${newPid} in ${secondsSince(restartStartedAt).toFixed(1)} s`,
  };
}

async function findMasters(ports: number[]): Promise<number[]> {
  const masters: number[] = [];
  for (const port of ports) {
    const client = connectToNode(port);
    try {
      if ((await readNodeHealth(client, port)).role === 'master') {
        masters.push(port);
      }
    } catch {
      // A node that does not answer is no master to pick or to count.
    } finally {
      client.disconnect();
    }
  }
  return masters;
}

/** SIGKILLs a random Redis master, waits for its replica to take over, then restarts the node as a replica. */
async function killRedisMaster(context: InjectContext): Promise<InjectedFault> {
  const cluster = context.stack.faults.redisCluster;
  if (cluster === undefined) {
    throw new Error('the Redis master kill needs the Redis Cluster the local stack starts; unset REDIS_CLUSTER_NODES');
  }
  const ports = cluster.nodes.map((node) => node.port);
  const masters = await findMasters(ports);
  const victim = masters[Math.floor(context.random() * masters.length)] as number;
  const pid = cluster.pids[ports.indexOf(victim)];
  const atSeconds = secondsSince(context.startedAt);
  const killedAt = Date.now();
  await cluster.killNode(victim);

  const others = ports.filter((port) => port !== victim);
  let failedOverAfter: number | undefined;
  while (Date.now() - killedAt < FAILOVER_TIMEOUT_MS) {
    const current = await findMasters(others);
    if (current.length === masters.length) {
      failedOverAfter = (Date.now() - killedAt) / 1000;
      break;
    }
    await delay(250);
  }
  if (failedOverAfter === undefined) {
    throw new Error(`no replica took over from the Redis master on port ${victim} within ${FAILOVER_TIMEOUT_MS / 1000} s`);
  }
  await cluster.restartNode(victim);
  return {
    kind: FaultKind.redisMasterKill,
    atSeconds,
    exposed: new Set(),
    detail:
      `SIGKILL to the redis-server master on port ${victim} (pid ${pid}); its replica took over after ${failedOverAfter.toFixed(1)} s; ` +
      `the node rejoined as a replica ${secondsSince(killedAt).toFixed(1)} s after the kill`,
  };
}

async function countMessages(context: InjectContext): Promise<number> {
  let total = 0;
  for (const created of context.stack.queueUrls.values()) {
    const { Attributes: attributes = {} } = await context.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: created.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    total +=
      Number(attributes.ApproximateNumberOfMessages ?? 0) +
      Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
      Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0);
  }
  return total;
}

/** Restarts the SQS emulator: every message in it (visible, in flight or delayed) is lost. */
async function restartSqs(context: InjectContext): Promise<InjectedFault> {
  const messages = await countMessages(context);
  const atSeconds = secondsSince(context.startedAt);
  const startedAt = Date.now();
  await context.stack.faults.restartSqs();
  return {
    kind: FaultKind.sqsRestart,
    atSeconds,
    exposed: new Set(),
    detail: `SQS emulator restarted in ${secondsSince(startedAt).toFixed(1)} s; about ${messages} messages lost (visible, in flight and delayed)`,
  };
}

/**
 * Closes every MongoDB connection. The active jobs are read in the same tick as the drop, and jobs
 * claimed within the next 2 s join them: a driver may learn of the drop only on its next command.
 */
async function dropMongoConnections(context: InjectContext): Promise<InjectedFault> {
  const server = context.stack.faults.mongoServer;
  if (server === undefined) {
    throw new Error('the MongoDB connection drop needs the MongoDB test server the local stack starts; unset MONGODB_URI');
  }
  // Wait for a handler mid-request, so live workers hold connections and have writes to come.
  // Jobs active alone are not enough: right after a crash they are the dead workers' leases.
  const waitUntil = Date.now() + MID_BATCH_WAIT_MS;
  while (context.receiver.inFlight() === 0 && Date.now() < waitUntil) {
    await delay(10);
  }
  const atSeconds = secondsSince(context.startedAt);
  const exposed = context.watch.exposeFor(MONGO_DROP_WINDOW_MS);
  const activeAtDrop = exposed.size;
  const connections = server.dropAllConnections();
  await delay(MONGO_DROP_WINDOW_MS);
  return {
    kind: FaultKind.mongoDrop,
    atSeconds,
    exposed,
    detail: `closed ${connections} MongoDB connections with ${activeAtDrop} jobs active (${exposed.size} active within ${MONGO_DROP_WINDOW_MS / 1000} s)`,
  };
}
