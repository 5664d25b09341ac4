/**
 * BullMQ side of the benchmark, run by run.ts as a child process against a plain redis-server
 * (BULLMQ_REDIS_PORT on 127.0.0.1), with the same no-op jobs as the Sluice side. Each task uses a
 * fresh queue and removes it afterwards.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Queue, Worker, type Job } from 'bullmq';
import { serveTasks } from './driver-channel';
import { cpuMicrosSince, endToEndResult } from './stats';
import type { BullmqTask, EndToEndResult, EnqueueResult, WorkerResult } from './tasks';

const connection = { host: '127.0.0.1', port: Number(process.env.BULLMQ_REDIS_PORT) };
const JOB_NAME = 'bench.noop';

let nextPayload = 0;
function noopJobs(count: number): { name: string; data: { n: number } }[] {
  return Array.from({ length: count }, () => {
    nextPayload += 1;
    return { name: JOB_NAME, data: { n: nextPayload } };
  });
}

/** Runs `work` with a queue of a fresh name, then removes the queue and its jobs. */
async function withFreshQueue<T>(work: (queue: Queue) => Promise<T>): Promise<T> {
  const queue = new Queue(`bench-${randomUUID().slice(0, 8)}`, { connection });
  await queue.waitUntilReady();
  try {
    return await work(queue);
  } finally {
    await queue.obliterate({ force: true });
    await queue.close();
  }
}

/** Adds `count` jobs one `add` at a time (batch size 1) or with `addBulk` of `batchSize`; returns the start time of each job's call. */
async function addJobs(queue: Queue, count: number, batchSize: number): Promise<Map<string, number>> {
  const addedAt = new Map<string, number>();
  for (let sent = 0; sent < count; sent += batchSize) {
    const at = performance.now();
    if (batchSize === 1) {
      const [job] = noopJobs(1);
      const added = await queue.add(job!.name, job!.data);
      addedAt.set(added.id as string, at);
    } else {
      const added = await queue.addBulk(noopJobs(Math.min(batchSize, count - sent)));
      for (const job of added) {
        addedAt.set(job.id as string, at);
      }
    }
  }
  return addedAt;
}

/** Starts a worker with a no-op processor and resolves once it has completed `count` jobs. */
function runWorker(queueName: string, concurrency: number, count: number, onCompleted: (job: Job, at: number) => void = () => {}) {
  let completed = 0;
  let worker: Worker | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    worker = new Worker(queueName, async () => null, { connection, concurrency });
    worker.on('completed', (job) => {
      onCompleted(job, performance.now());
      completed += 1;
      if (completed === count) {
        resolve();
      }
    });
    worker.on('failed', (job, error) => reject(new Error(`BullMQ job ${job?.id} failed: ${error.message}`)));
    worker.on('error', reject);
  });
  return { finished, close: () => (worker as Worker).close() };
}

/** Adds `jobs` jobs, then measures the CPU time this process spends while a worker completes them. */
async function measureWorker(jobCount: number, concurrency: number): Promise<WorkerResult> {
  return withFreshQueue(async (queue) => {
    await addJobs(queue, jobCount, 10);
    const cpu = process.cpuUsage();
    const startedAt = performance.now();
    const worker = runWorker(queue.name, concurrency, jobCount);
    await worker.finished;
    const cpuMicros = cpuMicrosSince(cpu);
    const wallMs = performance.now() - startedAt;
    await worker.close();
    return { jobs: jobCount, concurrency, cpuMicros, wallMs };
  });
}

async function measureEnqueue(batchSize: number, jobCount: number): Promise<EnqueueResult> {
  return withFreshQueue(async (queue) => {
    const cpu = process.cpuUsage();
    const startedAt = performance.now();
    await addJobs(queue, jobCount, batchSize);
    const elapsedMs = performance.now() - startedAt;
    return { jobs: jobCount, elapsedMs, jobsPerSecond: (jobCount * 1000) / elapsedMs, cpuMicros: cpuMicrosSince(cpu) };
  });
}

/** Measures end-to-end throughput and latency: one producer adds `jobs` jobs with addBulk of 10 while a worker of `concurrency` completes them. */
async function measureEndToEnd(concurrency: number, jobCount: number): Promise<EndToEndResult> {
  return withFreshQueue(async (queue) => {
    const completedAt = new Map<string, number>();
    const startedAt = performance.now();
    const worker = runWorker(queue.name, concurrency, jobCount, (job, at) => completedAt.set(job.id as string, at));
    const addedAt = await addJobs(queue, jobCount, 10);
    await worker.finished;
    await worker.close();
    return endToEndResult({ concurrency, startedAt, enqueuedAt: addedAt, completedAt });
  });
}

serveTasks(
  async (task: BullmqTask) => {
    switch (task.kind) {
      case 'prepare':
        // A short round loads BullMQ's scripts into Redis and warms the JIT, as the Sluice side does.
        await measureWorker(100, 10);
        return undefined;
      case 'worker':
        return measureWorker(task.jobs, task.concurrency);
      case 'enqueue':
        return measureEnqueue(task.batchSize, task.jobs);
      case 'endToEnd':
        return measureEndToEnd(task.concurrency, task.jobs);
    }
  },
  async () => {},
);
