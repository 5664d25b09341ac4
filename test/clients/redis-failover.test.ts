/**
 * Kills a master of a Redis Cluster that this test starts on ports SLUICE_TEST_REDIS_BASE_PORT
 * + 10 to + 15, so the shared test cluster stays whole. Then checks that the limiter and the
 * status cache recover after the failover and that no job is lost meanwhile.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSRecord } from 'aws-lambda';
import Redis, { type Cluster } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { StatusCache } from '../../lib/cache/status-cache';
import type { Services } from '../../lib/clients';
import { buildJob } from '../../lib/enqueue/build-job';
import { enqueueJob } from '../../lib/enqueue/enqueue';
import type { JobDocument } from '../../lib/jobs/job';
import { defineJobType, JobTypeRegistry } from '../../lib/jobs/registry';
import { logger } from '../../lib/observability/logger';
import { takeToken } from '../../lib/ratelimit/token-bucket';
import { findJob, insertJobs } from '../../lib/store/job-store';
import { getJobStatus } from '../../lib/status/status';
import { processMessage } from '../../lib/worker/process-message';
import { startRedisCluster, type RunningRedisCluster } from '../../localstack/redis-cluster';
import { createTestQueues } from '../support/queues';
import { failoverClusterBasePort } from '../support/redis-ports';
import { testServices } from '../support/services';

/** The throttled queue of this fixture limits per host of `payload.url`. */
process.env.SLUICE_QUEUES_FILE = join(__dirname, '..', 'fixtures', 'queues.limited.json');

const registry = new JobTypeRegistry().register(
  defineJobType({ name: 'test.visit', payloadSchema: z.object({ url: z.string() }), handler: async (payload) => ({ visited: payload.url }) }),
);

/** Long enough for startup, a failover (cluster-node-timeout 5 s plus the election) and the jobs. */
jest.setTimeout(90_000);

let cluster: RunningRedisCluster;
let clusterDir: string;
let services: Services;
let close: () => Promise<void>;

beforeAll(async () => {
  clusterDir = mkdtempSync(join(tmpdir(), 'sluice-failover-redis-'));
  cluster = await startRedisCluster({ basePort: failoverClusterBasePort(), dir: clusterDir });
  const created = await testServices({ REDIS_CLUSTER_NODES: cluster.nodes.map((node) => `${node.host}:${node.port}`).join(',') });
  services = { ...created.services, jobTypes: registry };
  close = created.close;
  await createTestQueues(services);
});

afterAll(async () => {
  await close?.();
  await cluster?.stop();
  rmSync(clusterDir, { recursive: true, force: true });
});

/** Returns the port of the master that owns `key`'s slot. */
async function masterPortOf(redis: Cluster, key: string): Promise<number> {
  const slot = Number(await redis.cluster('KEYSLOT', key));
  const ranges = await redis.cluster('SLOTS');
  const range = ranges.find(([first, last]) => slot >= first && slot <= last);
  return range?.[2]?.[1] as number;
}

/** Ids of the connections named `name` on one node. */
async function clientIds(node: Redis, name: string): Promise<string[]> {
  const list = (await node.call('CLIENT', 'LIST')) as string;
  return list
    .split('\n')
    .filter((line) => / name=(\S*) /.exec(line)?.[1] === name)
    .map((line) => /\bid=(\d+)/.exec(line)?.[1] as string);
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

function record(jobId: string): SQSRecord {
  return { messageId: randomUUID(), body: JSON.stringify({ jobId, queue: 'throttled' }) } as SQSRecord;
}

async function processJob(jobId: string): Promise<void> {
  const queue = services.queues.get('throttled');
  await processMessage(record(jobId), { services, queue, logger, remainingTimeMs: () => 20_000 });
}

/** Tries `probe` every 100 ms until it resolves; returns the milliseconds that took. */
async function msUntilWorks(probe: () => Promise<unknown>, limitMs: number): Promise<number> {
  const startedAt = Date.now();
  for (;;) {
    try {
      await probe();
      return Date.now() - startedAt;
    } catch (error) {
      if (Date.now() - startedAt > limitMs) {
        throw error;
      }
      await sleep(100);
    }
  }
}

describe('Redis connection that stops responding', () => {
  it('replaces a connection that stays silent past the command timeout', async () => {
    const redis = services.redis as Cluster;
    const job = buildJob('default', { type: 'test.visit', payload: { url: 'http://silent.example/' } }, registry, new Date());
    await insertJobs(services.jobs, [job]);
    expect(await services.statusCache.put(job)).toBe(true);
    const port = await masterPortOf(redis, StatusCache.keyFor(job._id));
    const pid = cluster.pids[cluster.nodes.findIndex((node) => node.port === port)] as number;
    const name = `sluice-${services.config.SLUICE_STAGE}`;
    const inspector = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1 });
    try {
      const before = await clientIds(inspector, name);
      expect(before.length).toBeGreaterThan(0);

      // A stopped process keeps its sockets open but never replies, like a peer lost during a freeze.
      process.kill(pid, 'SIGSTOP');
      try {
        await expect(services.statusCache.get(job._id)).rejects.toThrow();
        // Shorter than cluster-node-timeout (5 s), so no failover starts.
        await sleep(2_500);
      } finally {
        process.kill(pid, 'SIGCONT');
      }

      await msUntilWorks(async () => {
        if ((await services.statusCache.get(job._id))?.id !== job._id) throw new Error('cache miss');
      }, 10_000);
      const after = await clientIds(inspector, name);
      expect(after.length).toBeGreaterThan(0);
      expect(after.some((id) => before.includes(id))).toBe(false);
    } finally {
      inspector.disconnect();
    }
  });
});

describe('Redis master failover', () => {
  it('recovers the limiter and the cache and loses no job', async () => {
    const redis = services.redis as Cluster;
    const bucketKey = `sluice:test:{${randomUUID()}}`;
    const probeJob = buildJob('throttled', { type: 'test.visit', payload: { url: 'http://probe.example/' } }, registry, new Date());
    await insertJobs(services.jobs, [probeJob]);
    expect((await takeToken(services.limiter, bucketKey, { capacity: 10, ratePerSecond: 10 })).allowed).toBe(true);
    expect(await services.statusCache.put(probeJob)).toBe(true);

    const victimPort = await masterPortOf(redis, bucketKey);
    const victimPid = cluster.pids[cluster.nodes.findIndex((node) => node.port === victimPort)] as number;
    process.kill(victimPid, 'SIGKILL');
    const killedAt = Date.now();

    // Jobs enqueued and delivered while the master is down: the limiter fails closed, so each is
    // deferred (kept in MongoDB) instead of run or dropped.
    const jobIds: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const enqueued = await enqueueJob(services, 'throttled', { type: 'test.visit', payload: { url: `http://host-${index}.example/` } });
      jobIds.push(enqueued.id);
      await processJob(enqueued.id);
    }

    const limiterMs = await msUntilWorks(() => takeToken(services.limiter, bucketKey, { capacity: 10, ratePerSecond: 10 }), 30_000);
    const cacheMs = await msUntilWorks(async () => {
      const job = { ...probeJob, version: probeJob.version + 1 };
      await services.statusCache.put(job);
      if ((await services.statusCache.get(job._id))?.id !== job._id) throw new Error('cache miss');
    }, 30_000);
    const recoveredMs = Date.now() - killedAt;
    logger.info('failover recovery', { limiterMs, cacheMs, recoveredMs });
    // cluster-node-timeout is 5 s: replicas start an election after it, so recovery takes longer than that.
    expect(recoveredMs).toBeGreaterThan(4_000);
    expect(recoveredMs).toBeLessThan(30_000);

    // Every job is still in MongoDB; delivering each again once it is due runs it.
    for (let round = 0; round < 10; round += 1) {
      const jobs = (await Promise.all(jobIds.map((id) => findJob(services.jobs, id)))) as JobDocument[];
      expect(jobs.every((job) => job !== null)).toBe(true);
      const pending = jobs.filter((job) => job.state !== 'completed');
      if (pending.length === 0) {
        break;
      }
      const dueIn = Math.max(0, ...pending.map((job) => job.runAt.getTime() - Date.now()));
      await sleep(dueIn);
      for (const job of pending) {
        await processJob(job._id);
      }
    }
    const finished = await Promise.all(jobIds.map((id) => findJob(services.jobs, id)));
    expect(finished.map((job) => job?.state)).toEqual(Array(5).fill('completed'));
    expect(finished.map((job) => job?.attempts)).toEqual(Array(5).fill(1));
  });

  it('answers the status API from MongoDB after the cache is flushed', async () => {
    const redis = services.redis as Cluster;
    const job = buildJob('default', { type: 'test.visit', payload: { url: 'http://flushed.example/' } }, registry, new Date());
    await insertJobs(services.jobs, [job]);
    await services.statusCache.put(job);
    await Promise.all(redis.nodes('master').map((node) => node.flushall()));
    expect(await services.statusCache.get(job._id)).toBeNull();
    expect(await getJobStatus(services, job._id)).toMatchObject({ id: job._id, state: 'queued' });
  });
});
