import type { EndToEndResult } from './tasks';

/** Returns the value at `fraction` (0-1) of a sorted array (nearest rank), or NaN when it is empty. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const rank = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] as number;
}

/** Returns the median of `values` (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Adds each count of `from` to `into`, key by key. */
export function addCounts(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const [key, value] of Object.entries(from)) {
    into[key] = (into[key] ?? 0) + value;
  }
  return into;
}

/** Returns the sum of the values of a count map. */
export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, value) => sum + value, 0);
}

/** Microseconds of user plus system CPU time since `start` (a `process.cpuUsage()` reading). */
export function cpuMicrosSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

/**
 * Computes end-to-end figures from each job's enqueue and completion times (`performance.now()`
 * milliseconds, by job id): throughput from `startedAt` to the last completion, and latency
 * percentiles. Throws when an enqueued job has no completion time.
 */
export function endToEndResult(options: {
  concurrency: number;
  startedAt: number;
  enqueuedAt: Map<string, number>;
  completedAt: Map<string, number>;
}): EndToEndResult {
  const { enqueuedAt, completedAt } = options;
  const latencies = [...enqueuedAt].map(([id, at]) => (completedAt.get(id) ?? Number.NaN) - at).sort((a, b) => a - b);
  const missing = latencies.filter(Number.isNaN).length;
  if (missing > 0) {
    throw new Error(`${missing} of ${enqueuedAt.size} enqueued jobs have no completion time`);
  }
  const finishedAt = Math.max(...completedAt.values());
  return {
    concurrency: options.concurrency,
    jobs: enqueuedAt.size,
    jobsPerSecond: (enqueuedAt.size * 1000) / (finishedAt - options.startedAt),
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
  };
}
