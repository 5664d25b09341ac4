/**
 * Delay lateness benchmark: webhook jobs delayed 1 s, 60 s, 901 s and 1 hour on the embedded local
 * stack, with dispatch running every second. Measures each job's lateness, the receiver's first
 * arrival minus the job's `runAt`, and prints its median, p99 and maximum per delay, with the
 * jobs that arrived early and the duplicate deliveries. Exits with 1 when a job arrives early,
 * arrives twice or never arrives.
 *
 * The 901 s and 1 h rows are simulated, so the run takes about 90 s. Right after its enqueue, each
 * of those jobs has its `runAt`, `createdAt` and `updatedAt` moved back by the same amount in
 * MongoDB, so it is due 5-30 s later, as if the rest of its delay had passed. Dispatch then sends
 * it with the remaining delay, as it does a real one. The 1 s and 60 s rows wait in real time.
 * Immediate warm-up jobs run first, so that the process function's cold starts are not measured.
 *
 * Run: npm run bench:delays (SLUICE_BENCH_JOBS_PER_ROW, default 20; SLUICE_BENCH_REDIS_BASE_PORT, default 7800;
 * SLUICE_BENCH_RESULT_FILE, when set, receives the figures as JSON).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { MongoClient, type Collection } from 'mongodb';
import type { JobDocument } from '../../lib/jobs/job';
import { jobsCollection } from '../../lib/store/collections';
import { startLocalStack } from '../../localstack/stack';
import { freePort } from '../support/free-port';
import { writeBenchResult } from './result-file';
import { postJson } from '../../scripts/demo/http-client';
import { shiftJobClock } from '../support/clock-shift';
import { startReceiver, type Receiver } from '../../scripts/demo/receiver';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const QUEUE = 'default';
const JOBS_PER_ROW = Number(process.env.SLUICE_BENCH_JOBS_PER_ROW || 20);
/** A simulated job is due this long after its clock shift, spread at random over the range. */
const SHIFTED_DUE_MIN_MS = 5_000;
const SHIFTED_DUE_MAX_MS = 30_000;
/** Time allowed after the last enqueue for every job to arrive (the longest real delay is 60 s). */
const WAIT_TIMEOUT_MS = 150_000;
/** Time to keep listening after the last first arrival, so that a duplicate delivery is counted. */
const DUPLICATE_WATCH_MS = 5_000;
const PROGRESS_INTERVAL_MS = 2_000;
/** Immediate jobs run before the measured rows to start the process function. */
const WARM_UP_JOBS = 20;
const TARGET_MEDIAN_MS = 1_000;
const TARGET_P99_MS = 2_000;

interface Row {
  label: string;
  delaySeconds: number;
  /** True when the job's clock is shifted in MongoDB instead of waiting the delay out. */
  simulated: boolean;
}

const ROWS: Row[] = [
  { label: '1 s', delaySeconds: 1, simulated: false },
  { label: '60 s', delaySeconds: 60, simulated: false },
  { label: '901 s', delaySeconds: 901, simulated: true },
  { label: '1 h', delaySeconds: 3_600, simulated: true },
];

interface BenchJob {
  row: Row;
  id: string;
  key: string;
  /** `runAt` as stored in MongoDB, after the shift for a simulated job. */
  runAtMs: number;
}

function log(line: string): void {
  process.stdout.write(`[bench] ${line}\n`);
}

async function enqueueRow(row: Row, endpoint: string, apiKey: string, receiver: Receiver, jobs: Collection<JobDocument>): Promise<BenchJob[]> {
  const enqueued: BenchJob[] = [];
  for (let index = 0; index < JOBS_PER_ROW; index += 1) {
    const key = `late-${row.delaySeconds}-${index}-${randomUUID().slice(0, 8)}`;
    const response = await postJson<{ id: string; state: string }>(`${endpoint}/queues/${QUEUE}/jobs`, {
      type: 'http',
      payload: { url: `${receiver.url}/ok/${key}` },
      delaySeconds: row.delaySeconds,
    }, apiKey);
    if (response.status !== 202) {
      throw new Error(`enqueue failed with HTTP ${response.status}: ${JSON.stringify(response.body)}`);
    }
    const { id } = response.body;
    let runAtMs: number;
    if (row.simulated) {
      runAtMs = (await shiftJobClock(jobs, id, SHIFTED_DUE_MIN_MS + Math.random() * (SHIFTED_DUE_MAX_MS - SHIFTED_DUE_MIN_MS))).runAt.getTime();
    } else {
      const job = await jobs.findOne({ _id: id }, { projection: { runAt: 1 } });
      if (!job) {
        throw new Error(`job ${id} is missing from MongoDB right after its enqueue`);
      }
      runAtMs = job.runAt.getTime();
    }
    enqueued.push({ row, id, key, runAtMs });
  }
  return enqueued;
}

/**
 * Runs immediate jobs until each has arrived, so that the measured rows do not include the
 * process function's cold starts (a worker thread loading the bundle and connecting to MongoDB,
 * Redis and SQS under serverless offline). Prints how long the warm-up jobs took to arrive.
 */
async function warmUp(endpoint: string, apiKey: string, receiver: Receiver): Promise<void> {
  const keys = Array.from({ length: WARM_UP_JOBS }, (_, index) => `warm-${index}-${randomUUID().slice(0, 8)}`);
  const enqueuedAt = Date.now();
  const response = await postJson(`${endpoint}/queues/${QUEUE}/jobs/batch`, { jobs: keys.map((key) => ({ type: 'http', payload: { url: `${receiver.url}/ok/${key}` } })) }, apiKey);
  if (response.status !== 202) {
    throw new Error(`warm-up enqueue failed with HTTP ${response.status}: ${JSON.stringify(response.body)}`);
  }
  const deadline = enqueuedAt + WAIT_TIMEOUT_MS;
  while (keys.some((key) => receiver.arrivals(key).length === 0)) {
    if (Date.now() > deadline) {
      throw new Error(`warm-up jobs did not arrive within ${WAIT_TIMEOUT_MS / 1000} s; rerun with SLUICE_SHOW_FUNCTION_LOGS=1 to see the functions' logs`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const arrivals = keys.map((key) => receiver.arrivals(key)[0] as number);
  log(`warm-up: ${WARM_UP_JOBS} immediate jobs arrived ${Math.min(...arrivals) - enqueuedAt}-${Math.max(...arrivals) - enqueuedAt} ms after their enqueue (includes the process function's cold start)`);
}

function rowName(row: Row): string {
  return row.simulated ? `${row.label} (simulated)` : row.label;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

async function waitForArrivals(all: BenchJob[], receiver: Receiver, startedAt: number): Promise<void> {
  const deadline = Date.now() + WAIT_TIMEOUT_MS;
  for (;;) {
    const counts = ROWS.map((row) => {
      const ofRow = all.filter((job) => job.row === row);
      return `${rowName(row)} ${ofRow.filter((job) => receiver.arrivals(job.key).length > 0).length}/${ofRow.length}`;
    });
    const arrived = all.filter((job) => receiver.arrivals(job.key).length > 0).length;
    log(`${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s  arrived ${arrived}/${all.length}: ${counts.join(', ')}`);
    if (arrived === all.length || Date.now() > deadline) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, PROGRESS_INTERVAL_MS));
  }
}

interface RowFigures {
  row: Row;
  jobs: number;
  arrived: number;
  medianMs: number;
  p99Ms: number;
  maxMs: number;
  early: number;
  duplicates: number;
}

function measureRow(row: Row, all: BenchJob[], receiver: Receiver): RowFigures {
  const ofRow = all.filter((job) => job.row === row);
  const lateness: number[] = [];
  let duplicates = 0;
  for (const job of ofRow) {
    const arrivals = receiver.arrivals(job.key);
    duplicates += Math.max(0, arrivals.length - 1);
    if (arrivals[0] !== undefined) {
      lateness.push(arrivals[0] - job.runAtMs);
    }
  }
  lateness.sort((a, b) => a - b);
  return {
    row,
    jobs: ofRow.length,
    arrived: lateness.length,
    medianMs: percentile(lateness, 0.5),
    p99Ms: percentile(lateness, 0.99),
    maxMs: lateness.at(-1) ?? Number.NaN,
    early: lateness.filter((ms) => ms < 0).length,
    duplicates,
  };
}

function printTable(figures: RowFigures[]): void {
  const lines = [
    '| delay | jobs | median lateness (ms) | p99 (ms) | max (ms) | early | duplicates |',
    '|---|---|---|---|---|---|---|',
    ...figures.map((row) => {
      const jobs = row.arrived === row.jobs ? String(row.jobs) : `${row.jobs} (${row.jobs - row.arrived} never arrived)`;
      return `| ${[rowName(row.row), jobs, row.medianMs, row.p99Ms, row.maxMs, row.early, row.duplicates].join(' | ')} |`;
    }),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n\n`);
  process.stdout.write(
    `Lateness = the receiver's first arrival - the job's runAt in MongoDB. Simulated rows: runAt, createdAt and updatedAt moved back in MongoDB right after the enqueue, so each job is due ${SHIFTED_DUE_MIN_MS / 1000}-${SHIFTED_DUE_MAX_MS / 1000} s later.\n`,
  );
  for (const row of figures) {
    const met = row.medianMs <= TARGET_MEDIAN_MS && row.p99Ms <= TARGET_P99_MS;
    process.stdout.write(`${rowName(row.row)}: target median <= ${TARGET_MEDIAN_MS} ms and p99 <= ${TARGET_P99_MS} ms ${met ? 'met' : 'MISSED'}\n`);
  }
}

async function main(): Promise<void> {
  const receiver = await startReceiver();
  const database = `sluice_bench_${randomUUID().slice(0, 8)}`;
  const stack = await startLocalStack({
    stage: 'latebench',
    redisBasePort: Number(process.env.SLUICE_BENCH_REDIS_BASE_PORT || 7800),
    sqsPort: 0,
    mongoPort: 0,
    httpPort: await freePort(),
    lambdaPort: await freePort(),
    dataDir: join(__dirname, '..', '..', '.local-stack', 'latebench-redis'),
    dispatchIntervalMs: 1_000,
    functionEnv: { MONGODB_DATABASE: database, SLUICE_OUTBOX_GRACE_SECONDS: '1' },
    onProgress: (line) => log(line),
    ...(process.env.SLUICE_SHOW_FUNCTION_LOGS ? { onFunctionLog: (line: string) => log(`function: ${line}`) } : {}),
  });
  const mongo = new MongoClient(stack.mongodbUri);
  let failed = false;
  try {
    const jobs = jobsCollection(mongo.db(database));
    await warmUp(stack.httpEndpoint, stack.apiKey, receiver);
    const startedAt = Date.now();
    // The 60 s row goes first because it takes longest to come due.
    const ordered = [...ROWS].sort((a, b) => Number(a.simulated) - Number(b.simulated) || b.delaySeconds - a.delaySeconds);
    const all: BenchJob[] = [];
    for (const row of ordered) {
      all.push(...(await enqueueRow(row, stack.httpEndpoint, stack.apiKey, receiver, jobs)));
      log(`enqueued ${JOBS_PER_ROW} jobs delayed ${rowName(row)}`);
    }

    await waitForArrivals(all, receiver, startedAt);
    log(`listening ${DUPLICATE_WATCH_MS / 1000} s more for duplicate deliveries`);
    await new Promise((resolve) => setTimeout(resolve, DUPLICATE_WATCH_MS));

    const figures = ROWS.map((row) => measureRow(row, all, receiver));
    printTable(figures);
    writeBenchResult(
      figures.map(({ row, ...measured }) => ({ delay: rowName(row), simulated: row.simulated, ...measured, targetMedianMs: TARGET_MEDIAN_MS, targetP99Ms: TARGET_P99_MS })),
    );
    failed = figures.some((row) => row.early > 0 || row.duplicates > 0 || row.arrived < row.jobs);
    if (failed) {
      process.stdout.write('FAILED: a job arrived early, arrived twice or never arrived (see the table)\n');
    }
  } finally {
    await mongo.close();
    await stack.stop();
    await receiver.stop();
  }
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
