/** Tasks the runner sends to the driver processes, and the results they send back. */

export type SluiceTask =
  | { kind: 'prepare' }
  | { kind: 'lifecycle'; batchSize: number; jobs: number }
  | { kind: 'enqueue'; batchSize: number; jobs: number }
  | { kind: 'endToEnd'; concurrency: number; jobs: number };

export type BullmqTask =
  | { kind: 'prepare' }
  | { kind: 'worker'; jobs: number; concurrency: number }
  | { kind: 'enqueue'; batchSize: number; jobs: number }
  | { kind: 'endToEnd'; concurrency: number; jobs: number };

/** Round trips of one phase, each by command name. */
export interface RoundTripCounts {
  mongo: Record<string, number>;
  /** SQS requests of Sluice's own client. */
  sqs: Record<string, number>;
  /** SQS requests of the event source (Lambda's poller on AWS). */
  eventSource: Record<string, number>;
  /** Redis round trips of Sluice's client: auto-pipelined batches and commands sent alone. */
  redis: Record<string, number>;
  /** Redis commands sent by Sluice's client. */
  redisCommands: Record<string, number>;
  /** Commands the Redis masters executed, including those run inside Lua scripts (INFO commandstats). */
  redisExecuted: Record<string, number>;
}

export interface PhaseResult {
  counts: RoundTripCounts;
  invocations: number;
  /** CPU time (user + system) spent inside the handler invocations, in microseconds. */
  cpuMicros: number;
  /** Wall time of each handler invocation, in milliseconds. */
  durationsMs: number[];
}

export interface LifecycleResult {
  batchSize: number;
  jobs: number;
  enqueue: PhaseResult;
  process: PhaseResult & {
    /** CPU time of the event source's receives, deletes and event building, in microseconds. */
    eventSourceCpuMicros: number;
    wallMs: number;
  };
}

export interface EnqueueResult {
  jobs: number;
  elapsedMs: number;
  jobsPerSecond: number;
  /** CPU time of the producer calls, in microseconds. */
  cpuMicros: number;
}

export interface WorkerResult {
  jobs: number;
  concurrency: number;
  /** CPU time of the worker process from the worker's start to its last completion, in microseconds. */
  cpuMicros: number;
  wallMs: number;
}

export interface EndToEndResult {
  concurrency: number;
  jobs: number;
  jobsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}
