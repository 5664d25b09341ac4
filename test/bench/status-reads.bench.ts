/**
 * Status read benchmark: reads per second and p50/p99 latency of `GET /jobs/{id}`'s lookup
 * (getJobStatus) served from the Redis status cache, against the same lookup read from MongoDB
 * (what a cache miss costs), with 1 and 20 concurrent callers. Then MongoDB round trips per job
 * when the process function handles a batch of 10, counted with the driver's command monitoring,
 * with the outcomes in one bulk write and, for comparison, one write per record.
 *
 * Runs on a six-node Redis Cluster it starts (SLUICE_BENCH_REDIS_BASE_PORT, default 7650) and on
 * MONGODB_URI when set, else on the MongoDB wire test server in this process, which then shares
 * the CPU with the client. Run: npm run bench:status (SLUICE_BENCH_SECONDS, default 5 per row),
 * which silences the function logs and metrics so printing them does not skew the figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import type { CommandStartedEvent } from 'mongodb';
import { z } from 'zod';
import { createServices, type Services } from '../../lib/clients';
import { whenRedisReady } from '../../lib/clients/redis';
import { readConfig } from '../../lib/config/env';
import { buildJob } from '../../lib/enqueue/build-job';
import { toPublicJob, type JobDocument } from '../../lib/jobs/job';
import { defineJobType, JobTypeRegistry } from '../../lib/jobs/registry';
import { logger } from '../../lib/observability/logger';
import { prepareDatabase } from '../../lib/store/collections';
import { findJob, insertJobs, markJobsSent } from '../../lib/store/job-store';
import { getJobStatus } from '../../lib/status/status';
import { createTaskLimiter } from '../../lib/worker/concurrency';
import { batchOutcomeWriter, OutcomeBatch } from '../../lib/worker/outcome-batch';
import { processMessage } from '../../lib/worker/process-message';
import { startMongoWireServer } from '../../localstack/mongo-wire';
import { startRedisCluster } from '../../localstack/redis-cluster';
import { withCommandMonitoring } from '../support/command-monitor';

const BASE_PORT = Number(process.env.SLUICE_BENCH_REDIS_BASE_PORT || 7650);
const SECONDS = Number(process.env.SLUICE_BENCH_SECONDS || 5);
const JOB_COUNT = 1_000;
const BATCH_SIZE = 10;
const BATCHES = 20;

function log(line: string): void {
  process.stdout.write(`[bench] ${line}\n`);
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

/** Runs `read` from `callers` concurrent loops for SECONDS; returns reads per second and latency percentiles. */
async function measure(callers: number, read: (id: string) => Promise<unknown>, ids: string[]) {
  const latencies: number[] = [];
  const stopAt = Date.now() + SECONDS * 1000;
  const startedAt = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (Date.now() < stopAt) {
        const id = ids[Math.floor(Math.random() * ids.length)] as string;
        const begin = process.hrtime.bigint();
        await read(id);
        latencies.push(Number(process.hrtime.bigint() - begin) / 1e6);
      }
    }),
  );
  const elapsedSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / elapsedSeconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

const registry = new JobTypeRegistry().register(defineJobType({ name: 'bench.noop', payloadSchema: z.object({}), handler: async () => 'ok' }));

/** Processes BATCHES batches of BATCH_SIZE jobs; returns MongoDB commands per job by command name. */
async function roundTripsPerJob(services: Services, commands: CommandStartedEvent[], batched: boolean): Promise<Record<string, number>> {
  const queue = services.queues.get('default');
  const counts: Record<string, number> = {};
  for (let batch = 0; batch < BATCHES; batch += 1) {
    const jobs = Array.from({ length: BATCH_SIZE }, () => buildJob('default', { type: 'bench.noop', payload: {} }, registry, new Date()));
    await insertJobs(services.jobs, jobs);
    await markJobsSent(services.jobs, jobs.map((job) => job._id), new Date());
    commands.length = 0;
    const outcomes = batched ? new OutcomeBatch(batchOutcomeWriter(services, queue, logger), BATCH_SIZE) : undefined;
    const runLimited = createTaskLimiter(queue.recordConcurrency);
    const records = jobs.map((job) => ({ messageId: randomUUID(), body: JSON.stringify({ jobId: job._id, queue: 'default' }) }) as SQSRecord);
    await Promise.all(records.map((record) => processMessage(record, { services, queue, logger, remainingTimeMs: () => 20_000, outcomes, runLimited })));
    for (const event of commands) {
      counts[event.commandName] = (counts[event.commandName] ?? 0) + 1;
    }
    const stored = await findJob(services.jobs, (jobs[0] as JobDocument)._id);
    if (stored?.state !== 'completed') {
      throw new Error(`job ${stored?._id} is ${stored?.state} after its batch; the benchmark expects every job completed`);
    }
  }
  return Object.fromEntries(Object.entries(counts).map(([name, count]) => [name, count / (BATCHES * BATCH_SIZE)]));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-status-'));
  log(`starting a Redis Cluster on 127.0.0.1:${BASE_PORT}-${BASE_PORT + 5}`);
  const cluster = await startRedisCluster({ basePort: BASE_PORT, dir, onProgress: (line) => log(line) });
  const mongoServer = process.env.MONGODB_URI ? undefined : await startMongoWireServer({ host: '127.0.0.1', port: 0 });
  const mongoUri = process.env.MONGODB_URI ?? (mongoServer?.uri as string);
  log(mongoServer ? `MongoDB wire test server at ${mongoUri}` : 'MongoDB from MONGODB_URI');
  const stage = `b${randomUUID().slice(0, 8)}`;
  const config = readConfig({
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: `sluice_bench_${stage}`,
    REDIS_CLUSTER_NODES: cluster.nodes.map((node) => `${node.host}:${node.port}`).join(','),
    // No SQS request is made: every benchmark job succeeds, so no retry is sent.
    SQS_ENDPOINT: 'http://127.0.0.1:9',
    SLUICE_STAGE: stage,
  });
  const base = { ...createServices(config), jobTypes: registry };
  const monitored = withCommandMonitoring(base, mongoUri);
  const services = monitored.services;
  try {
    await prepareDatabase(services.mongo.db(config.MONGODB_DATABASE));
    await whenRedisReady(services.redis, 10_000);
    log(`inserting ${JOB_COUNT} jobs and filling the status cache`);
    const jobs = Array.from({ length: JOB_COUNT }, () => buildJob('default', { type: 'bench.noop', payload: {} }, registry, new Date()));
    await insertJobs(services.jobs, jobs);
    await Promise.all(jobs.map((job) => services.statusCache.put(job)));
    const ids = jobs.map((job) => job._id);

    const rows: string[] = [];
    for (const callers of [1, 20]) {
      log(`cached reads, ${callers} caller(s), ${SECONDS} s`);
      const cached = await measure(callers, (id) => getJobStatus(services, id), ids);
      rows.push(`| cached (Redis) | ${callers} | ${cached.perSecond.toFixed(0)} | ${cached.p50.toFixed(2)} | ${cached.p99.toFixed(2)} |`);
      log(`uncached reads (MongoDB findOne by _id), ${callers} caller(s), ${SECONDS} s`);
      const uncached = await measure(callers, async (id) => toPublicJob((await findJob(services.jobs, id)) as JobDocument), ids);
      rows.push(`| uncached (MongoDB) | ${callers} | ${uncached.perSecond.toFixed(0)} | ${uncached.p50.toFixed(2)} | ${uncached.p99.toFixed(2)} |`);
    }

    log(`processing ${BATCHES} batches of ${BATCH_SIZE} jobs with the outcomes in one bulk write`);
    const batched = await roundTripsPerJob(services, monitored.commands, true);
    log(`processing ${BATCHES} batches of ${BATCH_SIZE} jobs with one outcome write per record`);
    const perRecord = await roundTripsPerJob(services, monitored.commands, false);
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, count) => sum + count, 0);
    const describe = (counts: Record<string, number>) => Object.entries(counts).map(([name, count]) => `${name} ${count.toFixed(2)}`).join(', ');

    log('status reads');
    log('| read | callers | reads/s | p50 ms | p99 ms |');
    log('|---|---|---|---|---|');
    for (const row of rows) log(row);
    log(`MongoDB round trips per job, batch of ${BATCH_SIZE}:`);
    log(`  outcomes in one bulkWrite: ${total(batched).toFixed(2)} (${describe(batched)})`);
    log(`  one outcome write per record: ${total(perRecord).toFixed(2)} (${describe(perRecord)})`);
  } finally {
    await services.mongo.db(config.MONGODB_DATABASE).dropDatabase().catch(() => undefined);
    await monitored.close();
    await base.mongo.close();
    base.redis.disconnect();
    base.sqs.destroy();
    await mongoServer?.close();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
