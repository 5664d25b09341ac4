/**
 * Rate limiter benchmark: decisions per second and p50/p99 latency of one token-bucket decision
 * on a local six-node Redis Cluster, with 1 and 50 concurrent callers, on one hot bucket and on
 * buckets spread over the cluster. Also counts Redis script calls per decision from INFO
 * commandstats. Run: npm run bench:limiter (SLUICE_BENCH_SECONDS, default 5 per row;
 * SLUICE_BENCH_REDIS_BASE_PORT, default 7600; SLUICE_BENCH_RESULT_FILE, when set, receives the
 * figures as JSON).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { createRedisClient, whenRedisReady } from '../../lib/clients/redis';
import { readConfig } from '../../lib/config/env';
import { withLimiterCommands, type LimiterRedis } from '../../lib/ratelimit/commands';
import { takeToken } from '../../lib/ratelimit/token-bucket';
import { startRedisCluster } from '../../localstack/redis-cluster';
import { writeBenchResult } from './result-file';

const BASE_PORT = Number(process.env.SLUICE_BENCH_REDIS_BASE_PORT || 7600);
const SECONDS = Number(process.env.SLUICE_BENCH_SECONDS || 5);

function log(line: string): void {
  process.stdout.write(`[bench] ${line}\n`);
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

async function scriptCalls(redis: Cluster): Promise<number> {
  const stats = await Promise.all(redis.nodes('master').map((node) => node.info('commandstats')));
  let calls = 0;
  for (const text of stats) {
    for (const match of text.matchAll(/cmdstat_(?:evalsha|eval):calls=(\d+)/g)) {
      calls += Number(match[1]);
    }
  }
  return calls;
}

async function run(redis: LimiterRedis & Cluster, callers: number, spread: boolean) {
  const latencies: number[] = [];
  const keys = Array.from({ length: spread ? callers : 1 }, () => `bench:{${randomUUID()}}`);
  // A bucket large enough that every decision is a real read-modify-write, allowed or not.
  const settings = { capacity: 1_000_000, ratePerSecond: 1_000_000 };
  const callsBefore = await scriptCalls(redis);
  const stopAt = Date.now() + SECONDS * 1000;
  const startedAt = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: callers }, async (_, index) => {
      const key = keys[index % keys.length] as string;
      while (Date.now() < stopAt) {
        const begin = process.hrtime.bigint();
        await takeToken(redis, key, settings);
        latencies.push(Number(process.hrtime.bigint() - begin) / 1e6);
      }
    }),
  );
  const elapsedSeconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const calls = (await scriptCalls(redis)) - callsBefore;
  latencies.sort((a, b) => a - b);
  return {
    decisionsPerSecond: latencies.length / elapsedSeconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    scriptCallsPerDecision: calls / latencies.length,
  };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-redis-'));
  log(`starting a Redis Cluster on 127.0.0.1:${BASE_PORT}-${BASE_PORT + 5}`);
  const cluster = await startRedisCluster({ basePort: BASE_PORT, dir, onProgress: (line) => log(line) });
  const client = createRedisClient(
    readConfig({ MONGODB_URI: 'mongodb://127.0.0.1:1', REDIS_CLUSTER_NODES: cluster.nodes.map((node) => `${node.host}:${node.port}`).join(',') }),
  );
  const redis = withLimiterCommands(client) as LimiterRedis & Cluster;
  try {
    await whenRedisReady(redis, 10_000);
    const rows: string[] = [];
    const figures: object[] = [];
    for (const [callers, spread] of [
      [1, false],
      [50, false],
      [50, true],
    ] as const) {
      log(`running ${callers} caller(s) on ${spread ? `${callers} buckets` : 'one bucket'} for ${SECONDS} s`);
      const result = await run(redis, callers, spread);
      figures.push({ callers, buckets: spread ? callers : 1, seconds: SECONDS, ...result });
      rows.push(
        `| ${String(callers).padStart(7)} | ${(spread ? 'spread' : 'one').padEnd(7)} | ${result.decisionsPerSecond.toFixed(0).padStart(11)} | ${result.p50.toFixed(3).padStart(8)} | ${result.p99.toFixed(3).padStart(8)} | ${result.scriptCallsPerDecision.toFixed(2).padStart(14)} |`,
      );
    }
    process.stdout.write('\n| callers | buckets | decisions/s | p50 (ms) | p99 (ms) | script calls/decision |\n|---|---|---|---|---|---|\n');
    process.stdout.write(`${rows.join('\n')}\n\n`);
    writeBenchResult(figures);
    log('latency is measured in the client (Node 20, one process), so it includes its event loop; 2-core machine');
  } finally {
    redis.disconnect();
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[bench] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
