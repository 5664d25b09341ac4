import { SQSClient } from '@aws-sdk/client-sqs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Collection } from 'mongodb';
import type { JobDocument } from '../../lib/jobs/job';
import { JOB_STATES, type JobState } from '../../lib/jobs/states';
import { aggregateQueueStats } from '../../lib/store/queue-stats';
import { freePort } from '../../localstack/ports';
import { startLocalStack, type RunningLocalStack } from '../../localstack/stack';
import { enqueueBatch } from '../demo/enqueue';
import { mapConcurrent } from '../demo/http-client';
import { startReceiver, type Receiver } from '../demo/receiver';
import { planWorkload, type PlannedJob } from '../demo/workload';
import { checkJobs, type FaultCheck } from './check';
import { planFaults, seededRandom, type FaultCounts, type PlannedFault } from './fault-plan';
import { injectFault, type InjectedFault } from './inject';
import { JobWatch } from './job-watch';

const QUEUE = 'webhooks';
const DATABASE = 'sluice';
const BATCH_SIZE = 10;
const ENQUEUE_CONCURRENCY = 4;
/**
 * Enqueue retries cover a restart of `serverless offline` and a MongoDB reconnect: a restart takes
 * 3-5 s on an idle 2-core machine, and up to about a minute when the machine is overloaded.
 */
const ENQUEUE_ATTEMPTS = 300;
const ENQUEUE_RETRY_DELAY_MS = 1_000;
/** Faults strike between these fractions of the enqueue window, so each finds work in flight. */
const FAULT_WINDOW = { from: 0.1, to: 0.95 } as const;
const QUEUES_FILE = join(__dirname, 'queues.faults.json');

export interface FaultSuiteOptions {
  jobs: number;
  faults: FaultCounts;
  /** Seed of the fault schedule and of the choice of Redis master. */
  seed: number;
  /** Jobs enqueued per second, spread over the run so faults strike while jobs arrive. */
  enqueueRatePerSecond: number;
  /** How long to wait, after the last enqueue and the last fault, for every job to finish. */
  drainTimeoutMs: number;
  /** First of the six Redis Cluster ports the suite's own cluster uses. */
  redisBasePort: number;
  progressIntervalMs?: number;
  log: (line: string) => void;
  /** Receives every line the functions log (JSON from Powertools); default: dropped. */
  onFunctionLog?: (line: string) => void;
  /** Aborting stops the run; the suite still stops everything it started. */
  signal?: AbortSignal;
}

/** The suite's figures, printed by `npm run faults` and checked by the CI variant. */
export interface FaultSuiteReport extends FaultCheck {
  jobs: number;
  seed: number;
  /** Seconds from the first enqueue until every job finished (or the drain wait ended). */
  runSeconds: number;
  faults: InjectedFault[];
  /** Enqueue requests repeated after a failure (idempotency keys make them safe). */
  enqueueRetries: number;
}

/** Waits `ms` milliseconds, or less when `signal` aborts. */
function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs the fault suite: starts its own local stack (its own Redis Cluster, SQS emulator, MongoDB
 * test server and `serverless offline` on free ports) and a webhook receiver, enqueues the jobs at
 * a steady rate while it injects the planned faults, waits for every job to finish, and checks
 * every job against the store and the receiver. Stops everything it started, also on failure.
 */
export async function runFaultSuite(options: FaultSuiteOptions): Promise<FaultSuiteReport> {
  const { log, signal } = options;
  const receiver = await startReceiver();
  const dataDir = await mkdtemp(join(tmpdir(), 'sluice-faults-'));
  let stack: RunningLocalStack | undefined;
  let mongo: MongoClient | undefined;
  let watch: JobWatch | undefined;
  let sqs: SQSClient | undefined;
  try {
    stack = await startLocalStack({
      stage: 'faults',
      redisBasePort: options.redisBasePort,
      dataDir,
      sqsPort: 0,
      mongoPort: 0,
      httpPort: await freePort(),
      lambdaPort: await freePort(),
      queuesFile: QUEUES_FILE,
      dispatchIntervalMs: 2_000,
      functionEnv: { MONGODB_DATABASE: DATABASE, SLUICE_OUTBOX_GRACE_SECONDS: '3', SLUICE_STALE_MESSAGE_SECONDS: '60' },
      onProgress: (line) => log(`stack: ${line}`),
      ...(options.onFunctionLog ? { onFunctionLog: options.onFunctionLog } : {}),
    });
    if (stack.faults.mongoServer === undefined) {
      throw new Error('the fault suite needs the MongoDB test server of the local stack');
    }
    mongo = new MongoClient(stack.mongodbUri, { serverSelectionTimeoutMS: 5_000 });
    const jobs = mongo.db(DATABASE).collection<JobDocument>('jobs');
    watch = new JobWatch(stack.faults.mongoServer, `${DATABASE}.jobs`);
    sqs = new SQSClient({ region: 'us-east-1', endpoint: stack.sqsEndpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

    const plan = planWorkload(options.jobs, receiver.url, { keyPrefix: 'fault', maxAttempts: 10, idempotencyKeys: true, responseDelayMs: 50 });
    const random = seededRandom(options.seed);
    const enqueueWindowMs = (options.jobs / options.enqueueRatePerSecond) * 1000;
    const schedule = planFaults(options.faults, enqueueWindowMs * FAULT_WINDOW.from, enqueueWindowMs * FAULT_WINDOW.to, random);
    log(`seed ${options.seed}: ${options.jobs} jobs at ${options.enqueueRatePerSecond}/s over ${(enqueueWindowMs / 1000).toFixed(0)} s; faults planned at ` +
      schedule.map((fault) => `${fault.kind} ${(fault.atMs / 1000).toFixed(1)} s`).join(', '));

    const startedAt = Date.now();
    const state = { enqueued: 0, enqueueRetries: 0, faults: [] as InjectedFault[] };
    const ticker = startProgress(jobs, receiver, state, startedAt, options);
    // When either loop fails, the other stops at its next step, and both have ended before the stack stops.
    const loops = new AbortController();
    signal?.addEventListener('abort', () => loops.abort(signal.reason), { once: true });
    const stopLoopsOnFailure = (error: unknown) => {
      loops.abort(error);
      throw error;
    };
    let ids: string[];
    try {
      const [enqueued, injected] = await Promise.allSettled([
        enqueueAtRate(stack, plan, { ...options, signal: loops.signal }, startedAt, state).catch(stopLoopsOnFailure),
        injectAll(schedule, { stack, receiver, watch, sqs, random, startedAt, log }, state.faults, loops.signal).catch(stopLoopsOnFailure),
      ]);
      for (const outcome of [enqueued, injected]) {
        if (outcome.status === 'rejected') {
          throw outcome.reason;
        }
      }
      ids = (enqueued as PromiseFulfilledResult<string[]>).value;
      log(`all jobs enqueued and all ${state.faults.length} faults injected after ${((Date.now() - startedAt) / 1000).toFixed(1)} s; waiting for every job to finish`);
      await waitForDrain(jobs, options.jobs, options.drainTimeoutMs, signal, log);
    } finally {
      clearInterval(ticker);
    }
    const runSeconds = (Date.now() - startedAt) / 1000;
    signal?.throwIfAborted();

    const stored = new Map((await jobs.find({ queue: QUEUE }).toArray()).map((job) => [job._id, job]));
    const check = checkJobs(plan, ids, stored, receiver, watch, state.faults);
    return { ...check, jobs: options.jobs, seed: options.seed, runSeconds, faults: state.faults, enqueueRetries: state.enqueueRetries };
  } finally {
    watch?.stop();
    await mongo?.close().catch(() => {});
    sqs?.destroy();
    await stack?.stop();
    await receiver.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Enqueues the plan in batches at the configured rate, up to 4 requests at once; returns the job ids in plan order. */
async function enqueueAtRate(
  stack: RunningLocalStack,
  plan: PlannedJob[],
  options: FaultSuiteOptions,
  startedAt: number,
  state: { enqueued: number; enqueueRetries: number },
): Promise<string[]> {
  const batches: PlannedJob[][] = [];
  for (let start = 0; start < plan.length; start += BATCH_SIZE) {
    batches.push(plan.slice(start, start + BATCH_SIZE));
  }
  const batchIds = await mapConcurrent(batches, ENQUEUE_CONCURRENCY, async (batch, index) => {
    options.signal?.throwIfAborted();
    const dueAt = startedAt + ((index * BATCH_SIZE) / options.enqueueRatePerSecond) * 1000;
    await delay(dueAt - Date.now(), options.signal);
    options.signal?.throwIfAborted();
    const ids = await enqueueBatch(
      stack.httpEndpoint,
      QUEUE,
      batch.map((job) => job.request),
      {
        apiKey: stack.apiKey,
        attempts: ENQUEUE_ATTEMPTS,
        retryDelayMs: ENQUEUE_RETRY_DELAY_MS,
        ...(options.signal ? { signal: options.signal } : {}),
        onRetry: (line) => {
          state.enqueueRetries += 1;
          if (state.enqueueRetries % 10 === 1) {
            options.log(`enqueue: ${line}`);
          }
        },
      },
    );
    state.enqueued += ids.length;
    return ids;
  });
  return batchIds.flat();
}

/** Injects the planned faults one after another, each at its planned moment or as soon as the previous one has recovered. */
async function injectAll(schedule: PlannedFault[], context: Parameters<typeof injectFault>[1], injected: InjectedFault[], signal?: AbortSignal): Promise<void> {
  for (const planned of schedule) {
    await delay(context.startedAt + planned.atMs - Date.now(), signal);
    signal?.throwIfAborted();
    const fault = await injectFault(planned.kind, context);
    injected.push(fault);
    context.log(`fault ${injected.length}/${schedule.length} at ${fault.atSeconds.toFixed(1)} s: ${fault.kind}: ${fault.detail}`);
  }
}

function startProgress(
  jobs: Collection<JobDocument>,
  receiver: Receiver,
  state: { enqueued: number; faults: InjectedFault[] },
  startedAt: number,
  options: FaultSuiteOptions,
): NodeJS.Timeout {
  return setInterval(() => {
    void countJobsByState(jobs)
      .then((counts) => JOB_STATES.map((name) => `${name} ${counts[name]}`).join(', '))
      .catch((error: unknown) => `counts unavailable (${(error as Error).message})`)
      .then((counts) => {
        const elapsed = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(6);
        options.log(`${elapsed} s  enqueued ${state.enqueued}/${options.jobs}  ${counts}  | deliveries ${receiver.totals().deliveries}, faults ${state.faults.length}`);
      });
  }, options.progressIntervalMs ?? 3_000);
}

/** Counts the suite queue's jobs by state, with the aggregation the stats API uses. */
async function countJobsByState(jobs: Collection<JobDocument>): Promise<Record<JobState, number>> {
  return (await aggregateQueueStats(jobs, QUEUE, new Date())).counts;
}

/** Waits until every job is `completed`, `dead` or `cancelled`, or `timeoutMs` passes (then the check reports the stuck ones). */
async function waitForDrain(jobs: Collection<JobDocument>, total: number, timeoutMs: number, signal: AbortSignal | undefined, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    try {
      const counts = await countJobsByState(jobs);
      if (counts.completed + counts.dead + counts.cancelled >= total) {
        return;
      }
    } catch {
      // A dropped connection fails one count; the next poll reconnects.
    }
    await delay(500, signal);
  }
  log(`drain wait ended after ${timeoutMs / 1000} s with unfinished jobs; the check lists them`);
}
