/**
 * `npm run demo`: starts the embedded local stack, enqueues 1,000 webhook jobs to a receiver on
 * 127.0.0.1, shows progress until every job has finished, and checks the final states against the
 * receiver's own count of deliveries. Exits with 1 when they disagree.
 * Options (environment): DEMO_JOBS (default 1000), DEMO_TIMEOUT_SECONDS (default 300),
 * DEMO_KEEP_RUNNING=1 (keep the stack and its dashboard running after the summary, until Ctrl-C).
 */
import type { PublicJob } from '../../lib/jobs/job';
import type { QueueStats } from '../../lib/status/status';
import { startLocalStack, type RunningLocalStack } from '../../localstack/stack';
import { enqueueBatch } from './enqueue';
import { getJson, mapConcurrent } from './http-client';
import { startReceiver, type Receiver } from './receiver';
import { expectedState as expectedStateOf, planWorkload, type PlannedJob } from './workload';

// The lockfile pins the AWS SDK; its notice that releases after January 2027 need Node 22 is not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const QUEUE = 'webhooks';
const BATCH_SIZE = 100;

function log(line: string): void {
  process.stdout.write(`[demo] ${line}\n`);
}

function readPositiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name}=${JSON.stringify(raw)} is invalid; set it to a whole number of 1 or more`);
  }
  return value;
}

async function enqueueAll(stack: RunningLocalStack, plan: PlannedJob[]): Promise<{ ids: string[]; enqueuedAt: number[] }> {
  const batches: PlannedJob[][] = [];
  for (let start = 0; start < plan.length; start += BATCH_SIZE) {
    batches.push(plan.slice(start, start + BATCH_SIZE));
  }
  const ids: string[] = [];
  const enqueuedAt: number[] = [];
  await mapConcurrent(batches, 2, async (batch, batchIndex) => {
    const sentAt = Date.now();
    const batchIds = await enqueueBatch(stack.httpEndpoint, QUEUE, batch.map((job) => job.request), { apiKey: stack.apiKey });
    batchIds.forEach((id, offset) => {
      ids[batchIndex * BATCH_SIZE + offset] = id;
      enqueuedAt[batchIndex * BATCH_SIZE + offset] = sentAt;
    });
  });
  return { ids, enqueuedAt };
}

async function waitForFinish(stack: RunningLocalStack, receiver: Receiver, total: number, timeoutMs: number, startedAt: number): Promise<QueueStats> {
  for (;;) {
    const { body: stats } = await getJson<QueueStats>(`${stack.httpEndpoint}/queues/${QUEUE}/stats`, stack.apiKey);
    const finished = stats.counts.completed + stats.counts.dead + stats.counts.cancelled;
    const elapsed = ((Date.now() - startedAt) / 1000).toFixed(1);
    const counts = Object.entries(stats.counts).map(([state, count]) => `${state} ${count}`).join(', ');
    log(`${elapsed.padStart(6)} s  ${counts}  | receiver deliveries ${receiver.totals().deliveries}`);
    if (finished >= total) {
      return stats;
    }
    if (Date.now() - startedAt > timeoutMs) {
      throw new Error(`not every job finished within ${timeoutMs / 1000} s (${finished} of ${total}); raise DEMO_TIMEOUT_SECONDS or read the function logs (SLUICE_SHOW_FUNCTION_LOGS=1)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

/** Compares each job's final state with what the receiver saw; returns one line per mismatch. */
function checkJobs(plan: PlannedJob[], jobs: PublicJob[], receiver: Receiver, enqueuedAt: number[]): { mismatches: string[]; earliestDelayedStartMs: number } {
  const mismatches: string[] = [];
  let earliestDelayedStartMs = Number.POSITIVE_INFINITY;
  plan.forEach((planned, index) => {
    const job = jobs[index] as PublicJob;
    const statuses = receiver.deliveries(planned.key);
    const successes = statuses.filter((status) => status === 200).length;
    const expectedState = expectedStateOf(planned);
    if (job.state !== expectedState) {
      mismatches.push(`${planned.key}: state ${job.state}, expected ${expectedState} (receiver saw ${statuses.join(',') || 'nothing'})`);
    }
    if (expectedState === 'completed' && successes < 1) {
      mismatches.push(`${planned.key}: completed but the receiver never answered it 200`);
    }
    if (expectedState === 'dead' && !statuses.includes(404)) {
      mismatches.push(`${planned.key}: dead but the receiver never answered it 404`);
    }
    if (job.attempts !== statuses.length) {
      mismatches.push(`${planned.key}: ${job.attempts} attempts recorded, ${statuses.length} deliveries received`);
    }
    if (planned.delaySeconds > 0) {
      const firstArrival = receiver.arrivals(planned.key)[0] ?? Number.POSITIVE_INFINITY;
      earliestDelayedStartMs = Math.min(earliestDelayedStartMs, firstArrival - ((enqueuedAt[index] as number) + planned.delaySeconds * 1000));
    }
  });
  return { mismatches, earliestDelayedStartMs };
}

async function main(): Promise<void> {
  const total = readPositiveInt('DEMO_JOBS', 1000);
  const timeoutMs = readPositiveInt('DEMO_TIMEOUT_SECONDS', 300) * 1000;
  const commandStartedAt = Date.now();
  const receiver = await startReceiver();
  log(`webhook receiver on ${receiver.url}`);
  const stack = await startLocalStack({
    ...(process.env.MONGODB_URI ? { mongodbUri: process.env.MONGODB_URI } : {}),
    dispatchIntervalMs: 5_000,
    functionEnv: { SLUICE_OUTBOX_GRACE_SECONDS: '10' },
    onProgress: (line) => log(line),
  });
  const stopAll = async () => {
    await stack.stop();
    await receiver.stop();
  };
  process.once('SIGINT', () => {
    log('SIGINT received; stopping');
    void stopAll().then(() => process.exit(130));
  });

  try {
    const plan = planWorkload(total, receiver.url);
    log(`local stack ready after ${((Date.now() - commandStartedAt) / 1000).toFixed(1)} s; enqueueing ${total} jobs in batches of ${BATCH_SIZE}`);
    log(`watch the jobs in the dashboard: ${stack.httpEndpoint}/dashboard`);
    const startedAt = Date.now();
    const { ids, enqueuedAt } = await enqueueAll(stack, plan);
    log(`enqueued ${ids.length} jobs in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    const stats = await waitForFinish(stack, receiver, total, timeoutMs, startedAt);
    const elapsedSeconds = (Date.now() - startedAt) / 1000;

    const jobs = await mapConcurrent(ids, 20, async (id) => (await getJson<PublicJob>(`${stack.httpEndpoint}/jobs/${id}`, stack.apiKey)).body);
    const { mismatches, earliestDelayedStartMs } = checkJobs(plan, jobs, receiver, enqueuedAt);
    const totals = receiver.totals();
    const deadExpected = plan.filter((job) => job.kind === 'missing').length;

    log('summary');
    for (const [state, count] of Object.entries(stats.counts)) {
      log(`  ${state.padEnd(10)} ${String(count).padStart(5)}`);
    }
    log(`  receiver: ${totals.deliveries} deliveries to ${totals.keys} jobs; ${totals.successKeys} jobs answered 200; duplicate 200 deliveries: ${totals.duplicateSuccesses}`);
    log(`  check: completed ${stats.counts.completed} vs receiver 200 jobs ${totals.successKeys}; dead ${stats.counts.dead} vs 404 jobs ${deadExpected}`);
    log(`  delayed jobs: first delivery ${(earliestDelayedStartMs / 1000).toFixed(2)} s after the due time at the earliest (negative would be early)`);
    log(`  throughput: ${total} jobs in ${elapsedSeconds.toFixed(1)} s = ${(total / elapsedSeconds).toFixed(1)} jobs/s (first enqueue to last finished job)`);
    log(`  command duration: ${((Date.now() - commandStartedAt) / 1000).toFixed(1)} s`);

    const countsAgree = stats.counts.completed === totals.successKeys && stats.counts.dead === deadExpected;
    if (!countsAgree || mismatches.length > 0 || earliestDelayedStartMs < 0) {
      for (const line of mismatches.slice(0, 20)) {
        log(`  mismatch: ${line}`);
      }
      log('RESULT: the job states do not match the receiver');
      process.exitCode = 1;
    } else {
      log('RESULT: the job states match the receiver');
    }
    if (process.env.DEMO_KEEP_RUNNING === '1') {
      log(`the stack keeps running: dashboard ${stack.httpEndpoint}/dashboard; press Ctrl-C to stop`);
      // The SIGINT handler stops the stack and exits.
      await new Promise<never>(() => {});
    }
  } finally {
    await stopAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[demo] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
