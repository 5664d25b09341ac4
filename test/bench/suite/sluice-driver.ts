/**
 * Sluice side of the benchmark, run by run.ts as a child process so that its CPU time is the
 * function runtime's alone: MongoDB (wire-protocol test server), the Redis Cluster and the SQS
 * emulator run in other processes. It calls the real Lambda handlers (functions/enqueue.ts and
 * functions/process.ts) in process, and plays Lambda's SQS event source itself: it receives
 * messages, builds the SQSEvent, invokes the process handler and deletes what succeeded.
 *
 * Round trips are counted on the functions' own clients: MongoDB commands through the driver's
 * command monitoring (MONGODB_URI carries monitorCommands=true), SQS requests through an SDK
 * middleware, and Redis commands through INFO commandstats deltas on the cluster's masters.
 * The event source's ReceiveMessage and DeleteMessageBatch requests go through another client and
 * are counted apart: on AWS, Lambda makes them, not Sluice (they are still billed as SQS requests).
 */
import { performance } from 'node:perf_hooks';
import { DeleteMessageBatchCommand, PurgeQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyStructuredResultV2, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Cluster } from 'ioredis';
import { MongoClient } from 'mongodb';
import { z } from 'zod';
import { batchHandler, handler as enqueueHandler } from '../../../functions/enqueue';
import { handler as processHandler } from '../../../functions/process';
import { getServices } from '../../../lib/clients';
import { whenRedisReady } from '../../../lib/clients/redis';
import { defineJobType } from '../../../lib/jobs/registry';
import { JobState } from '../../../lib/jobs/states';
import { jobsCollection, prepareDatabase } from '../../../lib/store/collections';
import { createQueues } from '../../../localstack/create-queues';
import { toSqsRecord } from '../../../localstack/event-source/sqs-event';
import { serveTasks } from './driver-channel';
import { httpEvent, InvocationMeter, lambdaContext } from './lambda-invocation';
import { countRedisCommands, countSqsRequests, readRedisCommandCounts } from './round-trip-counters';
import { cpuMicrosSince, endToEndResult } from './stats';
import type { EndToEndResult, EnqueueResult, LifecycleResult, SluiceTask } from './tasks';

const QUEUE = 'default';
/** The no-op job type every benchmark job has. */
const NOOP_TYPE = 'bench.noop';
const RECEIVE_WAIT_SECONDS = 1;
/** The event source gives up when this many receives in a row return nothing while jobs are missing. */
const MAX_EMPTY_RECEIVES = 30;
const WARM_UP_JOBS = 100;
const PROGRESS_INTERVAL_MS = 10_000;

const services = getServices();
services.jobTypes.register(
  defineJobType({ name: NOOP_TYPE, payloadSchema: z.object({ n: z.number().int() }), handler: async () => null }),
);

const mongoCommands: Record<string, number> = {};
services.mongo.on('commandStarted', (event) => {
  mongoCommands[event.commandName] = (mongoCommands[event.commandName] ?? 0) + 1;
});
const sluiceSqsRequests = countSqsRequests(services.sqs);
const redisCounts = countRedisCommands(services.redis);

// Lambda's event source: its own SQS client, counted apart from Sluice's.
const eventSourceSqs = new SQSClient({ region: services.config.AWS_REGION, endpoint: services.config.SQS_ENDPOINT });
const eventSourceRequests = countSqsRequests(eventSourceSqs);

// Uncounted clients for setup, checks and Redis statistics.
const admin = new MongoClient((services.config.MONGODB_URI ?? '').replace('monitorCommands=true', 'monitorCommands=false'));
const jobs = jobsCollection(admin.db(services.config.MONGODB_DATABASE));
const redisNodes = (services.config.REDIS_CLUSTER_NODES ?? []).map((node) => {
  const separator = node.lastIndexOf(':');
  return { host: node.slice(0, separator), port: Number(node.slice(separator + 1)) };
});
const redisStats = new Cluster(redisNodes);

let queueUrl = '';
let queueArn = '';

let nextPayload = 0;
function noopJobs(count: number): { type: string; payload: { n: number } }[] {
  return Array.from({ length: count }, () => {
    nextPayload += 1;
    return { type: NOOP_TYPE, payload: { n: nextPayload } };
  });
}

function parseResponse(response: APIGatewayProxyStructuredResultV2): any {
  if (response.statusCode !== 202) {
    throw new Error(`enqueue returned HTTP ${response.statusCode}: ${response.body}`);
  }
  return JSON.parse(response.body ?? 'null');
}

/** Enqueues `count` jobs through the single (batch size 1) or batch handler; returns their ids and enqueue times. */
async function enqueue(count: number, batchSize: number, meter: InvocationMeter): Promise<Map<string, number>> {
  const enqueuedAt = new Map<string, number>();
  for (let sent = 0; sent < count; sent += batchSize) {
    const size = Math.min(batchSize, count - sent);
    const at = performance.now();
    if (batchSize === 1) {
      const [job] = noopJobs(1);
      const body = parseResponse(await meter.measure(() => enqueueHandler(httpEvent(QUEUE, '/jobs', job), lambdaContext('sluice-bench-enqueue'))));
      enqueuedAt.set(body.id, at);
    } else {
      const body = parseResponse(
        await meter.measure(() => batchHandler(httpEvent(QUEUE, '/jobs/batch', { jobs: noopJobs(size) }), lambdaContext('sluice-bench-enqueueBatch'))),
      );
      for (const result of body.jobs) {
        enqueuedAt.set(result.id, at);
      }
    }
  }
  return enqueuedAt;
}

function jobIdOf(message: Message): string {
  return (JSON.parse(message.Body ?? '{}') as { jobId: string }).jobId;
}

/**
 * Plays one event source poller: receives up to `batchSize` messages, invokes the process handler
 * with them and deletes the records it did not report as failures, until `done()` is true.
 * Calls `onCompleted` with the ids of the jobs of each successful record.
 */
async function pollAndProcess(options: {
  batchSize: number;
  meter: InvocationMeter;
  done: () => boolean;
  onCompleted: (jobIds: string[], at: number) => void;
}): Promise<void> {
  let emptyReceives = 0;
  while (!options.done()) {
    const received = await eventSourceSqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: options.batchSize,
        WaitTimeSeconds: RECEIVE_WAIT_SECONDS,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) {
      emptyReceives += 1;
      if (emptyReceives >= MAX_EMPTY_RECEIVES && !options.done()) {
        throw new Error(`the queue stayed empty for ${MAX_EMPTY_RECEIVES} receives while jobs were still missing`);
      }
      continue;
    }
    emptyReceives = 0;
    const event: SQSEvent = { Records: messages.map((message) => toSqsRecord(message, { queueArn, awsRegion: 'us-east-1' })) };
    const response = (await options.meter.measure(() => processHandler(event, lambdaContext('sluice-bench-process-default')))) as SQSBatchResponse;
    const at = performance.now();
    const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
    const succeeded = messages.filter((message) => !failed.has(message.MessageId as string));
    if (succeeded.length > 0) {
      await eventSourceSqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: succeeded.map((message, index) => ({ Id: `d${index}`, ReceiptHandle: message.ReceiptHandle as string })),
        }),
      );
    }
    options.onCompleted(succeeded.map(jobIdOf), at);
  }
}

async function countCompleted(ids: Iterable<string>): Promise<number> {
  return jobs.countDocuments({ _id: { $in: [...ids] }, state: JobState.completed });
}

async function snapshotCounters() {
  return {
    mongo: { ...mongoCommands },
    sqs: { ...sluiceSqsRequests },
    eventSource: { ...eventSourceRequests },
    redis: { ...redisCounts.roundTrips },
    redisCommands: { ...redisCounts.commands },
    redisExecuted: await readRedisCommandCounts(redisStats),
  };
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, value] of Object.entries(after)) {
    const delta = value - (before[name] ?? 0);
    if (delta !== 0) {
      result[name] = delta;
    }
  }
  return result;
}

function countersBetween(after: Awaited<ReturnType<typeof snapshotCounters>>, before: Awaited<ReturnType<typeof snapshotCounters>>) {
  return {
    mongo: difference(after.mongo, before.mongo),
    sqs: difference(after.sqs, before.sqs),
    eventSource: difference(after.eventSource, before.eventSource),
    redis: difference(after.redis, before.redis),
    redisCommands: difference(after.redisCommands, before.redisCommands),
    redisExecuted: difference(after.redisExecuted, before.redisExecuted),
  };
}

/** Enqueues and processes `jobs` jobs, one invocation at a time, counting round trips and CPU time per phase. */
async function runLifecycle(batchSize: number, jobCount: number): Promise<LifecycleResult> {
  const enqueueMeter = new InvocationMeter();
  const processMeter = new InvocationMeter();
  let completed = 0;
  // One stderr line per interval, because these rounds run for minutes on a busy machine.
  const ticker = setInterval(() => {
    const enqueued = Math.min(jobCount, enqueueMeter.invocations * batchSize);
    process.stderr.write(`[sluice driver] batch ${batchSize}: ${enqueued}/${jobCount} enqueued, ${completed}/${jobCount} completed\n`);
  }, PROGRESS_INTERVAL_MS);

  try {
    const start = await snapshotCounters();
    const ids = await enqueue(jobCount, batchSize, enqueueMeter);
    const afterEnqueue = await snapshotCounters();

    const phaseCpu = process.cpuUsage();
    const phaseStartedAt = performance.now();
    await pollAndProcess({
      batchSize,
      meter: processMeter,
      done: () => completed >= jobCount,
      onCompleted: (jobIds) => {
        completed += jobIds.length;
      },
    });
    const eventSourceCpuMicros = cpuMicrosSince(phaseCpu) - processMeter.cpuMicros;
    const processWallMs = performance.now() - phaseStartedAt;
    const afterProcess = await snapshotCounters();

    const verified = await countCompleted(ids.keys());
    if (verified !== jobCount) {
      throw new Error(`${verified} of ${jobCount} jobs are completed in MongoDB after processing`);
    }
    return {
      batchSize,
      jobs: jobCount,
      enqueue: { counts: countersBetween(afterEnqueue, start), invocations: enqueueMeter.invocations, cpuMicros: enqueueMeter.cpuMicros, durationsMs: enqueueMeter.durationsMs },
      process: {
        counts: countersBetween(afterProcess, afterEnqueue),
        invocations: processMeter.invocations,
        cpuMicros: processMeter.cpuMicros,
        durationsMs: processMeter.durationsMs,
        eventSourceCpuMicros,
        wallMs: processWallMs,
      },
    };
  } finally {
    clearInterval(ticker);
  }
}

/** Removes the messages and jobs that a measurement left unprocessed. */
async function clearQueue(ids: Iterable<string>): Promise<void> {
  await eventSourceSqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
  await jobs.deleteMany({ _id: { $in: [...ids] } });
}

/** Enqueues `jobs` jobs one call after another, one job per call or `batchSize` per call; processes none. */
async function runEnqueue(batchSize: number, jobCount: number): Promise<EnqueueResult> {
  const meter = new InvocationMeter();
  const startedAt = performance.now();
  const ids = await enqueue(jobCount, batchSize, meter);
  const elapsedMs = performance.now() - startedAt;
  await clearQueue(ids.keys());
  return { jobs: jobCount, elapsedMs, jobsPerSecond: (jobCount * 1000) / elapsedMs, cpuMicros: meter.cpuMicros };
}

/**
 * Enqueues `jobs` jobs in batches of 10 from one producer while `concurrency` pollers process them,
 * and measures each job's latency from the start of its enqueue call to the return of the process
 * invocation that completed it.
 */
async function runEndToEnd(concurrency: number, jobCount: number): Promise<EndToEndResult> {
  const meter = new InvocationMeter();
  const completedAt = new Map<string, number>();
  const startedAt = performance.now();
  const pollers = Array.from({ length: concurrency }, () =>
    pollAndProcess({
      batchSize: 10,
      meter,
      done: () => completedAt.size >= jobCount,
      onCompleted: (jobIds, at) => {
        for (const id of jobIds) {
          completedAt.set(id, at);
        }
      },
    }),
  );
  const enqueuedAt = await enqueue(jobCount, 10, new InvocationMeter());
  await Promise.all(pollers);
  return endToEndResult({ concurrency, startedAt, enqueuedAt, completedAt });
}

/** Creates the queues and indexes, then runs warm-up jobs so that no measurement includes a cold start. */
async function prepare(): Promise<void> {
  await prepareDatabase(admin.db(services.config.MONGODB_DATABASE));
  const created = await createQueues(eventSourceSqs, services.queues.definitions);
  const queue = created.get(QUEUE);
  if (!queue) {
    throw new Error(`queue ${QUEUE} is not in the queue definitions`);
  }
  queueUrl = queue.url;
  queueArn = queue.arn;
  await whenRedisReady(redisStats, 10_000);
  await runLifecycle(10, WARM_UP_JOBS);
}

serveTasks(
  async (task: SluiceTask) => {
    switch (task.kind) {
      case 'prepare':
        return prepare();
      case 'lifecycle':
        return runLifecycle(task.batchSize, task.jobs);
      case 'enqueue':
        return runEnqueue(task.batchSize, task.jobs);
      case 'endToEnd':
        return runEndToEnd(task.concurrency, task.jobs);
    }
  },
  async () => {
    redisStats.disconnect();
    services.redis.disconnect();
    eventSourceSqs.destroy();
    services.sqs.destroy();
    await admin.close();
    await services.mongo.close();
  },
);
