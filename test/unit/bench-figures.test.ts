import { estimateCost, PRICES } from '../bench/suite/cost';
import { evaluateTargets, type BenchReport } from '../bench/suite/report';
import type { LifecycleFigures } from '../bench/suite/side-by-side';
import { endToEndResult, median, percentile } from '../bench/suite/stats';

function lifecycle(overrides: Partial<LifecycleFigures> = {}): LifecycleFigures {
  return {
    batchSize: 10,
    jobs: 100,
    invocations: { enqueue: 10, process: 10 },
    enqueueCounts: { mongo: { insert: 10, update: 10 }, sqs: { SendMessageBatchCommand: 10 }, eventSource: {}, redis: { pipeline: 30 }, redisCommands: {}, redisExecuted: {} },
    processCounts: {
      mongo: { findAndModify: 20 },
      sqs: {},
      eventSource: { ReceiveMessageCommand: 10, DeleteMessageBatchCommand: 10 },
      redis: { pipeline: 0 },
      redisCommands: {},
      redisExecuted: {},
    },
    cpuMicrosPerJob: { enqueue: 100, process: 100, eventSource: 10, bullmqWorker: 200, bullmqWorkerConcurrency: 10 },
    durationsMs: { enqueue: Array(10).fill(9.2), process: Array(10).fill(19.5) },
    ...overrides,
  };
}

describe('benchmark statistics', () => {
  it('takes the nearest-rank percentile', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile(sorted, 1)).toBe(100);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('takes the median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('computes end-to-end latency and throughput', () => {
    const result = endToEndResult({
      concurrency: 4,
      startedAt: 0,
      enqueuedAt: new Map([['a', 0], ['b', 10]]),
      completedAt: new Map([['a', 50], ['b', 500]]),
    });
    expect(result.jobs).toBe(2);
    expect(result.jobsPerSecond).toBe(4);
    expect(result.p50Ms).toBe(50);
    expect(result.p99Ms).toBe(490);
  });

  it('rejects a job without a completion time', () => {
    expect(() => endToEndResult({ concurrency: 1, startedAt: 0, enqueuedAt: new Map([['a', 0]]), completedAt: new Map([['b', 5]]) })).toThrow(
      '1 of 1 enqueued jobs have no completion time',
    );
  });
});

describe('estimateCost', () => {
  it('prices requests and billed GB-seconds per million jobs', () => {
    const cost = estimateCost(lifecycle());
    expect(cost.perJob.sqsRequests).toBeCloseTo(0.3);
    expect(cost.perJob.lambdaRequests).toBeCloseTo(0.2);
    expect(cost.perJob.httpApiRequests).toBeCloseTo(0.1);
    // Durations round up to whole milliseconds: 10 x 10 ms + 10 x 20 ms = 0.3 s at 0.5 GB over 100 jobs.
    expect(cost.perJob.lambdaGbSeconds).toBeCloseTo(0.0015);
    expect(cost.perMillionJobs.sqs).toBeCloseTo(0.3 * 0.4);
    expect(cost.perMillionJobs.lambdaDuration).toBeCloseTo(0.0015 * PRICES.lambdaPerGbSecondArm64 * 1e6);
    expect(cost.perMillionJobs.total).toBeCloseTo(
      cost.perMillionJobs.sqs + cost.perMillionJobs.lambdaRequests + cost.perMillionJobs.lambdaDuration + cost.perMillionJobs.httpApi,
    );
  });
});

describe('evaluateTargets', () => {
  const report = (figures: LifecycleFigures): BenchReport => ({
    command: 'npm run bench',
    date: '2026-12-04T00:00:00.000Z',
    machine: { cores: 2, cpuModel: 'test', memoryGiB: 1, node: 'v20', redis: '7', loadBefore: [0, 0, 0], loadAfter: [0, 0, 0] },
    durationSeconds: 1,
    lifecycle: [figures],
    enqueue: [{ batchSize: 10, jobs: 100, sluiceJobsPerSecond: 50, bullmqJobsPerSecond: 100, ratio: 0.5, sluiceCpuMicrosPerJob: 1, bullmqCpuMicrosPerJob: 1 }],
    endToEnd: [],
    existing: [],
    coldStart: [{ function: 'process', bundleBytes: 300_000, initMs: 100, initRunsMs: [100], largestPackages: [] }],
    cost: [],
  });

  it('marks each target met or missed', () => {
    const targets = new Map(evaluateTargets(report(lifecycle())).map((target) => [target.name, target.met]));
    // 0.4 MongoDB commands, 0.1 SQS requests and 0.3 Redis round trips per job.
    expect(targets.get('MongoDB round trips per job at batch 10')).toBe(true);
    expect(targets.get("SQS requests per job at batch 10 (Sluice's own)")).toBe(true);
    expect(targets.get('Redis round trips per job at batch 10')).toBe(true);
    expect(targets.get('process function CPU per job at batch 10 <= BullMQ worker')).toBe(true);
    expect(targets.get('batch enqueue of 10 >= BullMQ addBulk')).toBe(false);
    expect(targets.get('process bundle <= 250 KB minified')).toBe(false);
    expect(targets.get('process init <= 150 ms')).toBe(true);
  });

  it('misses the MongoDB target above 0.5 per job', () => {
    const figures = lifecycle();
    figures.processCounts.mongo = { findAndModify: 200, find: 100 };
    const mongo = evaluateTargets(report(figures)).find((target) => target.name === 'MongoDB round trips per job at batch 10');
    expect(mongo?.met).toBe(false);
    expect(mongo?.detail).toBe('3.20 (target <= 0.5)');
  });
});
