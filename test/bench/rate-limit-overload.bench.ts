/**
 * Overload benchmark: 2,000 webhook jobs enqueued at once into a queue limited to 50 jobs/s
 * (burst 10), on the embedded local stack. Prints how many times each job reached the process
 * function, SQS sends per job, deferrals, and the rate the receiver saw.
 * Run: npm run bench:overload (SLUICE_BENCH_JOBS, default 2000).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import type { QueueStats } from '../../lib/status/status';
import { startLocalStack } from '../../localstack/stack';
import { getJson, mapConcurrent, postJson } from '../../scripts/demo/http-client';
import { startReceiver } from '../../scripts/demo/receiver';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const QUEUE = 'overload';
const JOBS = Number(process.env.SLUICE_BENCH_JOBS || 2000);
const LIMIT_PER_SECOND = 50;

function log(line: string): void {
  process.stdout.write(`[bench] ${line}\n`);
}

async function main(): Promise<void> {
  const receiver = await startReceiver();
  const database = `sluice_bench_${randomUUID().slice(0, 8)}`;
  const stack = await startLocalStack({
    stage: 'bench',
    redisBasePort: Number(process.env.SLUICE_BENCH_REDIS_BASE_PORT || 7700),
    sqsPort: 0,
    mongoPort: 0,
    httpPort: 3100,
    lambdaPort: 3102,
    dataDir: join(__dirname, '..', '..', '.local-stack', 'bench-redis'),
    dispatchIntervalMs: 5_000,
    queuesFile: join(__dirname, '..', 'fixtures', 'queues.limited.json'),
    functionEnv: { MONGODB_DATABASE: database },
    onProgress: (line) => log(line),
  });
  try {
    const keys = Array.from({ length: JOBS }, (_, index) => `overload-${index}`);
    const batches = [];
    for (let start = 0; start < JOBS; start += 100) {
      batches.push(keys.slice(start, start + 100));
    }
    const startedAt = Date.now();
    await mapConcurrent(batches, 4, async (batch) => {
      const response = await postJson(`${stack.httpEndpoint}/queues/${QUEUE}/jobs/batch`, {
        jobs: batch.map((key) => ({ type: 'http', payload: { url: `${receiver.url}/ok/${key}` } })),
      }, stack.apiKey);
      if (response.status !== 202) {
        throw new Error(`enqueue failed with HTTP ${response.status}: ${JSON.stringify(response.body)}`);
      }
    });
    log(`enqueued ${JOBS} jobs in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; the limit is ${LIMIT_PER_SECOND}/s, so this takes about ${Math.ceil(JOBS / LIMIT_PER_SECOND)} s`);

    for (;;) {
      const { body: stats } = await getJson<QueueStats>(`${stack.httpEndpoint}/queues/${QUEUE}/stats`, stack.apiKey);
      log(`${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)} s  completed ${stats.counts.completed}/${JOBS}, delayed ${stats.counts.delayed}, queued ${stats.counts.queued}`);
      if (stats.counts.completed + stats.counts.dead >= JOBS) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
    const elapsedSeconds = (Date.now() - startedAt) / 1000;

    const mapping = stack.poller.stats().mappings.find((entry) => entry.functionName.endsWith(`process-${QUEUE}`));
    const client = new MongoClient(stack.mongodbUri);
    const [totals] = await client
      .db(database)
      .collection('jobs')
      .aggregate<{ deferrals: number; attempts: number; maxDeferrals: number }>([
        { $match: { queue: QUEUE } },
        { $group: { _id: null, deferrals: { $sum: { $ifNull: ['$deferrals', 0] } }, attempts: { $sum: '$attempts' }, maxDeferrals: { $max: { $ifNull: ['$deferrals', 0] } } } },
      ])
      .toArray();
    await client.close();

    const arrivals = keys.map((key) => receiver.arrivals(key)[0] as number).sort((a, b) => a - b);
    const observedRate = (arrivals.length - 1) / (((arrivals.at(-1) as number) - (arrivals[0] as number)) / 1000);
    const records = mapping?.records ?? Number.NaN;
    process.stdout.write(`
| measure | value |
|---|---|
| jobs | ${JOBS} |
| limit | ${LIMIT_PER_SECOND}/s, burst 10 |
| time to finish | ${elapsedSeconds.toFixed(1)} s |
| rate seen by the receiver | ${observedRate.toFixed(1)}/s |
| receptions per job (process function) | ${(records / JOBS).toFixed(3)} |
| SQS sends per job (1 + deferrals) | ${(1 + (totals?.deferrals ?? 0) / JOBS).toFixed(3)} |
| deferrals in all / most for one job | ${totals?.deferrals ?? 0} / ${totals?.maxDeferrals ?? 0} |
| attempts per job | ${((totals?.attempts ?? 0) / JOBS).toFixed(3)} |
| duplicate deliveries at the receiver | ${receiver.totals().duplicateSuccesses} |

`);
  } finally {
    await stack.stop();
    await receiver.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
