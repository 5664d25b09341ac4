/**
 * The measurements that compare Sluice with BullMQ. Each repeat runs one Sluice round and then
 * the matching BullMQ round, so both sides see the same machine load, and the medians over the
 * repeats are reported.
 */
import type { Driver } from './driver-channel';
import { addCounts, median } from './stats';
import type { EndToEndResult, EnqueueResult, LifecycleResult, RoundTripCounts, WorkerResult } from './tasks';

export interface SideBySideOptions {
  /** Jobs per batch size for the round-trip counts, split over the repeats. */
  lifecycleJobs: number;
  enqueueJobs: number;
  endToEndJobs: number;
  repeats: number;
  progress: (line: string) => void;
}

export interface LifecycleFigures {
  batchSize: number;
  jobs: number;
  invocations: { enqueue: number; process: number };
  /** Round trips of all repeats, per phase. */
  enqueueCounts: RoundTripCounts;
  processCounts: RoundTripCounts;
  /** Median over the repeats of the CPU microseconds per job. */
  cpuMicrosPerJob: { enqueue: number; process: number; eventSource: number; bullmqWorker: number; bullmqWorkerConcurrency: number };
  /** Every handler invocation's wall time in milliseconds, for the cost estimate. */
  durationsMs: { enqueue: number[]; process: number[] };
}

export interface EnqueueFigures {
  batchSize: number;
  jobs: number;
  sluiceJobsPerSecond: number;
  bullmqJobsPerSecond: number;
  /** Sluice's throughput divided by BullMQ's. */
  ratio: number;
  sluiceCpuMicrosPerJob: number;
  bullmqCpuMicrosPerJob: number;
}

export interface EndToEndFigures {
  concurrency: number;
  jobs: number;
  sluice: Omit<EndToEndResult, 'concurrency' | 'jobs'>;
  bullmq: Omit<EndToEndResult, 'concurrency' | 'jobs'>;
}

function emptyCounts(): RoundTripCounts {
  return { mongo: {}, sqs: {}, eventSource: {}, redis: {}, redisCommands: {}, redisExecuted: {} };
}

function addRoundTrips(into: RoundTripCounts, from: RoundTripCounts): void {
  addCounts(into.mongo, from.mongo);
  addCounts(into.sqs, from.sqs);
  addCounts(into.eventSource, from.eventSource);
  addCounts(into.redis, from.redis);
  addCounts(into.redisCommands, from.redisCommands);
  addCounts(into.redisExecuted, from.redisExecuted);
}

/**
 * Counts round trips and measures CPU per job at one batch size: Sluice's enqueue and process
 * handlers, and a BullMQ worker with as many concurrent jobs as the batch size.
 */
export async function measureLifecycle(sluice: Driver, bullmq: Driver, batchSize: number, options: SideBySideOptions): Promise<LifecycleFigures> {
  const jobsPerRepeat = Math.ceil(options.lifecycleJobs / options.repeats / batchSize) * batchSize;
  const figures: LifecycleFigures = {
    batchSize,
    jobs: 0,
    invocations: { enqueue: 0, process: 0 },
    enqueueCounts: emptyCounts(),
    processCounts: emptyCounts(),
    cpuMicrosPerJob: { enqueue: 0, process: 0, eventSource: 0, bullmqWorker: 0, bullmqWorkerConcurrency: batchSize },
    durationsMs: { enqueue: [], process: [] },
  };
  const cpu = { enqueue: [] as number[], process: [] as number[], eventSource: [] as number[], bullmq: [] as number[] };
  for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
    options.progress(`round trips and CPU, batch ${batchSize}, repeat ${repeat}/${options.repeats}: Sluice, ${jobsPerRepeat} jobs`);
    const round = await sluice.run<LifecycleResult>({ kind: 'lifecycle', batchSize, jobs: jobsPerRepeat });
    figures.jobs += round.jobs;
    figures.invocations.enqueue += round.enqueue.invocations;
    figures.invocations.process += round.process.invocations;
    addRoundTrips(figures.enqueueCounts, round.enqueue.counts);
    addRoundTrips(figures.processCounts, round.process.counts);
    figures.durationsMs.enqueue.push(...round.enqueue.durationsMs);
    figures.durationsMs.process.push(...round.process.durationsMs);
    cpu.enqueue.push(round.enqueue.cpuMicros / round.jobs);
    cpu.process.push(round.process.cpuMicros / round.jobs);
    cpu.eventSource.push(round.process.eventSourceCpuMicros / round.jobs);

    options.progress(`round trips and CPU, batch ${batchSize}, repeat ${repeat}/${options.repeats}: BullMQ worker, concurrency ${batchSize}`);
    const worker = await bullmq.run<WorkerResult>({ kind: 'worker', jobs: jobsPerRepeat, concurrency: batchSize });
    cpu.bullmq.push(worker.cpuMicros / worker.jobs);
  }
  figures.cpuMicrosPerJob = {
    enqueue: median(cpu.enqueue),
    process: median(cpu.process),
    eventSource: median(cpu.eventSource),
    bullmqWorker: median(cpu.bullmq),
    bullmqWorkerConcurrency: batchSize,
  };
  return figures;
}

/** Measures enqueue throughput, one job per call or `batchSize` per call, against BullMQ `add` or `addBulk`. */
export async function measureEnqueue(sluice: Driver, bullmq: Driver, batchSize: number, options: SideBySideOptions): Promise<EnqueueFigures> {
  const sluiceRounds: EnqueueResult[] = [];
  const bullmqRounds: EnqueueResult[] = [];
  for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
    options.progress(`enqueue throughput, batch ${batchSize}, repeat ${repeat}/${options.repeats}: ${options.enqueueJobs} jobs each side`);
    sluiceRounds.push(await sluice.run<EnqueueResult>({ kind: 'enqueue', batchSize, jobs: options.enqueueJobs }));
    bullmqRounds.push(await bullmq.run<EnqueueResult>({ kind: 'enqueue', batchSize, jobs: options.enqueueJobs }));
  }
  const sluiceJobsPerSecond = median(sluiceRounds.map((round) => round.jobsPerSecond));
  const bullmqJobsPerSecond = median(bullmqRounds.map((round) => round.jobsPerSecond));
  return {
    batchSize,
    jobs: options.enqueueJobs,
    sluiceJobsPerSecond,
    bullmqJobsPerSecond,
    ratio: sluiceJobsPerSecond / bullmqJobsPerSecond,
    sluiceCpuMicrosPerJob: median(sluiceRounds.map((round) => round.cpuMicros / round.jobs)),
    bullmqCpuMicrosPerJob: median(bullmqRounds.map((round) => round.cpuMicros / round.jobs)),
  };
}

function medianEndToEnd(rounds: EndToEndResult[]): Omit<EndToEndResult, 'concurrency' | 'jobs'> {
  return {
    jobsPerSecond: median(rounds.map((round) => round.jobsPerSecond)),
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p95Ms: median(rounds.map((round) => round.p95Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
  };
}

/** Measures end-to-end throughput and latency at one concurrency on both sides. */
export async function measureEndToEnd(sluice: Driver, bullmq: Driver, concurrency: number, options: SideBySideOptions): Promise<EndToEndFigures> {
  const sluiceRounds: EndToEndResult[] = [];
  const bullmqRounds: EndToEndResult[] = [];
  for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
    options.progress(`end to end, concurrency ${concurrency}, repeat ${repeat}/${options.repeats}: ${options.endToEndJobs} jobs each side`);
    sluiceRounds.push(await sluice.run<EndToEndResult>({ kind: 'endToEnd', concurrency, jobs: options.endToEndJobs }));
    bullmqRounds.push(await bullmq.run<EndToEndResult>({ kind: 'endToEnd', concurrency, jobs: options.endToEndJobs }));
  }
  return { concurrency, jobs: options.endToEndJobs, sluice: medianEndToEnd(sluiceRounds), bullmq: medianEndToEnd(bullmqRounds) };
}
