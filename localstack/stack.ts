import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { MongoClient } from 'mongodb';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { apiKeysCollection, createApiKey, revokeApiKey } from '../lib/auth/api-key-store';
import { API_ACTIONS, ALL_QUEUES } from '../lib/auth/grants';
import type { DispatchReport } from '../lib/dispatch/dispatch';
import { loadQueueDefinitions, queuesFileFromEnv, type QueueDefinition } from '../lib/queues/definitions';
import { prepareDatabase } from '../lib/store/collections';
import { createQueues, type CreatedQueue } from './create-queues';
import { LocalStackError } from './errors';
import { startEventSourcePoller, type EventSourcePoller } from './event-source-poller';
import { startMongoWireServer, type MongoWireServer } from './mongo-wire';
import { startOffline, type OfflineOptions, type RunningOffline } from './offline';
import { startRedisCluster, type RunningRedisCluster } from './redis-cluster';
import { startSqsServer, type RunningSqsServer } from './sqs';

const SERVICE = 'sluice';
const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const REGION = 'us-east-1';
/**
 * Webhook destinations the local stack's functions may reach: its own loopback receivers. Every
 * other private, loopback, link-local or metadata address stays refused, as on AWS.
 */
export const LOCAL_WEBHOOK_ALLOW = '127.0.0.1/32';

export interface LocalStackOptions {
  stage?: string;
  /** First port of the six Redis Cluster nodes (default 7000). */
  redisBasePort?: number;
  /** Use this running Redis Cluster (host:port seeds) instead of starting one. */
  redisNodes?: string[];
  /** Use this running SQS endpoint instead of starting the emulator. */
  sqsEndpoint?: string;
  /** SQS emulator port (default 4566, the LocalStack port; 0 picks a free one). */
  sqsPort?: number;
  /** MongoDB to use; without it the wire-protocol test server starts on `mongoPort`. */
  mongodbUri?: string;
  /** Port of the MongoDB test server (default 27027; 0 picks a free one). */
  mongoPort?: number;
  httpPort?: number;
  lambdaPort?: number;
  /** Directory for Redis node files (default `.local-stack` at the repository root). */
  dataDir?: string;
  /** How often dispatch runs, as the schedule does on AWS (default 60 s; 0 disables the timer). */
  dispatchIntervalMs?: number;
  /** Queue definitions file (absolute path); default SLUICE_QUEUES_FILE, then queues.json. */
  queuesFile?: string;
  /** Extra environment for the functions, such as SLUICE_OUTBOX_GRACE_SECONDS. */
  functionEnv?: Record<string, string>;
  onProgress?: (line: string) => void;
  onFunctionLog?: (line: string) => void;
}

export interface RunningLocalStack {
  stage: string;
  httpEndpoint: string;
  lambdaEndpoint: string;
  sqsEndpoint: string;
  mongodbUri: string;
  /** Whether the MongoDB is the wire-protocol test server (a test double) rather than a real one. */
  mongoIsTestDouble: boolean;
  redisNodes: string[];
  /** Bootstrap API key with every action on every queue, created at start (revoked at stop on a real MongoDB). */
  apiKey: string;
  queues: QueueDefinition[];
  queueUrls: Map<string, CreatedQueue>;
  poller: EventSourcePoller;
  /** Invokes the dispatch function once, as its schedule would. */
  invokeDispatch(): Promise<DispatchReport>;
  /** Handles for fault-injection tests: crash and restart the parts this stack started. */
  faults: LocalStackFaults;
  /** Stops everything this stack started, in reverse order. Safe to call twice. */
  stop(): Promise<void>;
}

async function revokeBootstrapKey(mongodbUri: string, database: string, id: string): Promise<void> {
  const client = new MongoClient(mongodbUri, { serverSelectionTimeoutMS: 5_000 });
  try {
    await revokeApiKey(apiKeysCollection(client.db(database)), id);
  } finally {
    await client.close();
  }
}

export interface LocalStackFaults {
  /** The MongoDB test server, when this stack started it (not with `mongodbUri`). */
  mongoServer: MongoWireServer | undefined;
  /** The Redis Cluster, when this stack started it (not with `redisNodes`). */
  redisCluster: RunningRedisCluster | undefined;
  /** Process id of the running `serverless offline`, whose worker threads run every function. */
  functionsPid(): number;
  /**
   * Sends SIGKILL to `serverless offline`, ending every function invocation in flight, and resolves with its pid once
   * it has exited. The HTTP API and the Lambda Invoke API refuse connections until {@link startFunctions}.
   */
  killFunctions(): Promise<number>;
  /** Starts `serverless offline` again on the same ports and environment; resolves with its pid once it is ready. */
  startFunctions(): Promise<number>;
  /**
   * Stops the SQS emulator, losing every message it holds, starts it again on the same port and creates the queues
   * again. Throws when this stack uses an SQS endpoint it did not start.
   */
  restartSqs(): Promise<void>;
}

/**
 * Starts the embedded local stack: MongoDB (MONGODB_URI or the wire-protocol test server), a
 * six-node Redis Cluster, the fauxqs SQS emulator with the queues of queues.json, `serverless
 * offline`, the SQS event source poller and the dispatch timer. On failure it stops what it started.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<RunningLocalStack> {
  const progress = options.onProgress ?? (() => {});
  const stage = options.stage ?? 'dev';
  const stoppers: (() => Promise<void>)[] = [];
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      for (const stopOne of stoppers.reverse()) {
        await stopOne().catch((error: unknown) => progress(`stop failed: ${(error as Error).message}`));
      }
      progress('local stack stopped');
    })();
    return stopped;
  };

  try {
    const mongoIsTestDouble = options.mongodbUri === undefined;
    let mongodbUri: string;
    let mongoServer: MongoWireServer | undefined;
    if (options.mongodbUri === undefined) {
      progress('starting the MongoDB wire-protocol test server (a test double, not a real MongoDB)');
      const mongo = await startMongoWireServer({ host: '127.0.0.1', port: options.mongoPort ?? 27027 });
      stoppers.push(() => mongo.close());
      mongodbUri = mongo.uri;
      mongoServer = mongo;
    } else {
      mongodbUri = options.mongodbUri;
    }
    progress(`MongoDB: ${mongodbUri}`);
    const database = options.functionEnv?.MONGODB_DATABASE ?? 'sluice';
    const admin = new MongoClient(mongodbUri, { serverSelectionTimeoutMS: 5_000 });
    let apiKey: string;
    try {
      const { sharded } = await prepareDatabase(admin.db(database));
      progress(`MongoDB indexes created${sharded ? '; jobs collection sharded on hashed _id' : ''}`);
      const bootstrap = await createApiKey(apiKeysCollection(admin.db(database)), {
        name: `local stack ${stage} bootstrap`,
        queues: [ALL_QUEUES],
        actions: [...API_ACTIONS],
      });
      apiKey = bootstrap.key;
      progress(`API key ${bootstrap.id} created (every queue, every action)`);
      if (!mongoIsTestDouble) {
        // A real MongoDB outlives the stack; the key must not.
        stoppers.push(() => revokeBootstrapKey(mongodbUri, database, bootstrap.id));
      }
    } finally {
      await admin.close();
    }

    let redisNodes = options.redisNodes;
    let redisCluster: RunningRedisCluster | undefined;
    if (!redisNodes) {
      const redis = await startRedisCluster({
        basePort: options.redisBasePort ?? 7000,
        dir: options.dataDir ?? join(__dirname, '..', '.local-stack', 'redis'),
        onProgress: progress,
      });
      stoppers.push(() => redis.stop());
      redisNodes = redis.nodes.map((node) => `${node.host}:${node.port}`);
      redisCluster = redis;
    }

    let sqsEndpoint = options.sqsEndpoint;
    let sqsServer: RunningSqsServer | undefined;
    if (!sqsEndpoint) {
      sqsServer = await startSqsServer({ port: options.sqsPort ?? 4566, onProgress: progress });
      // A restart replaces sqsServer, so the stopper reads the variable when it runs.
      stoppers.push(() => sqsServer?.stop() ?? Promise.resolve());
      sqsEndpoint = sqsServer.endpoint;
    }
    const sqs = new SQSClient({ region: REGION, endpoint: sqsEndpoint, credentials: LOCAL_CREDENTIALS });
    stoppers.push(async () => sqs.destroy());
    const queuesFile = options.queuesFile ?? queuesFileFromEnv();
    const queues = loadQueueDefinitions({ service: SERVICE, stage }, queuesFile);
    const queueUrls = await createQueues(sqs, queues);
    progress(`SQS queues created: ${queues.flatMap((queue) => queue.channels.map((channel) => channel.sqsName)).join(', ')} (each with a dead-letter queue)`);

    const offlineOptions: OfflineOptions = {
      httpPort: options.httpPort ?? 3000,
      lambdaPort: options.lambdaPort ?? 3002,
      stage,
      env: {
        SLUICE_WEBHOOK_ALLOW: LOCAL_WEBHOOK_ALLOW,
        // The lockfile pins the AWS SDK; its notice that later releases need Node 22 repeats in every function.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...options.functionEnv,
        ...(queuesFile ? { SLUICE_QUEUES_FILE: queuesFile } : {}),
        MONGODB_URI: mongodbUri,
        REDIS_CLUSTER_NODES: redisNodes.join(','),
        SQS_ENDPOINT: sqsEndpoint,
        AWS_REGION: REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      },
      onProgress: progress,
      ...(options.onFunctionLog ? { onLog: options.onFunctionLog } : {}),
    };
    let offline: RunningOffline = await startOffline(offlineOptions);
    // A restart replaces offline, so the stopper reads the variable when it runs.
    stoppers.push(() => offline.stop());
    // Node's HTTP server closes a keep-alive connection after 5 s idle, and an invoke written into
    // a connection as it closes fails with ECONNRESET; a fresh loopback connection per invoke costs
    // little. A second attempt covers a reset all the same (a repeated batch is harmless: the
    // claim runs each job once).
    const lambda = new LambdaClient({
      region: REGION,
      endpoint: offline.lambdaEndpoint,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 2,
      requestHandler: { httpAgent: new Agent({ keepAlive: false }) },
    });
    stoppers.push(async () => lambda.destroy());

    const poller = startEventSourcePoller({
      sqs,
      lambda,
      mappings: queues.flatMap((queue) =>
        queue.channels.map((channel) => {
          const created = queueUrls.get(channel.lane === null ? queue.name : `${queue.name}/${channel.lane}`) as CreatedQueue;
          return {
            queueUrl: created.url,
            queueArn: created.arn,
            functionName: `${SERVICE}-${stage}-${channel.functionName}`,
            batchSize: queue.batchSize,
            maximumBatchingWindowSeconds: queue.maximumBatchingWindowSeconds,
            maxConcurrency: channel.maxConcurrency,
          };
        }),
      ),
      onProgress: (line) => progress(line),
    });
    stoppers.push(() => poller.stop());

    const invokeDispatch = async (): Promise<DispatchReport> => {
      const response = await lambda.send(new InvokeCommand({ FunctionName: `${SERVICE}-${stage}-dispatch`, Payload: Buffer.from('{}') }));
      const text = Buffer.from(response.Payload ?? []).toString('utf8');
      if (response.FunctionError) {
        throw new Error(`dispatch failed: ${text}`);
      }
      return JSON.parse(text) as DispatchReport;
    };
    const intervalMs = options.dispatchIntervalMs ?? 60_000;
    if (intervalMs > 0) {
      const timer = setInterval(() => {
        invokeDispatch().catch((error: unknown) => progress(`dispatch run failed: ${(error as Error).message}`));
      }, intervalMs);
      stoppers.push(async () => clearInterval(timer));
    }

    const faults: LocalStackFaults = {
      mongoServer,
      redisCluster,
      functionsPid: () => offline.pid,
      killFunctions: async () => {
        await offline.kill();
        return offline.pid;
      },
      startFunctions: async () => {
        offline = await startOffline(offlineOptions);
        return offline.pid;
      },
      restartSqs: async () => {
        if (sqsServer === undefined) {
          throw new LocalStackError('restartSqs needs the SQS emulator this stack starts; start the stack without sqsEndpoint', { operation: 'restart-sqs' });
        }
        const { port } = sqsServer;
        await sqsServer.stop();
        sqsServer = await startSqsServer({ port, onProgress: progress });
        await createQueues(sqs, queues);
        progress(`SQS emulator restarted on port ${port}; queues created again, empty`);
      },
    };

    return {
      stage,
      httpEndpoint: offline.httpEndpoint,
      lambdaEndpoint: offline.lambdaEndpoint,
      sqsEndpoint,
      mongodbUri,
      mongoIsTestDouble,
      redisNodes,
      apiKey,
      queues,
      queueUrls,
      poller,
      invokeDispatch,
      faults,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
