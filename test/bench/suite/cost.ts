/**
 * Cost per million jobs on AWS list prices, from the round trips and handler durations measured
 * at one batch size. Fixed costs (MongoDB, Redis, idle event source polling) and the free tier
 * are left out.
 */
import type { LifecycleFigures } from './side-by-side';
import { total } from './stats';

/**
 * us-east-1 list prices in USD, as the project recorded them on 2026-12-04 without access to the
 * pricing pages from this machine. NOTE: recheck them at aws.amazon.com/sqs/pricing,
 * aws.amazon.com/lambda/pricing and aws.amazon.com/api-gateway/pricing before relying on a figure.
 */
export const PRICES = {
  recordedOn: '2026-12-04',
  region: 'us-east-1',
  /** Standard queue, per request; each 64 KiB chunk of a payload is one request. */
  sqsPerRequest: 0.4 / 1e6,
  lambdaPerRequest: 0.2 / 1e6,
  /** arm64, the architecture serverless.yml deploys; x86 costs 0.0000166667. */
  lambdaPerGbSecondArm64: 0.0000133334,
  /** HTTP API, first 300 million requests a month. */
  httpApiPerRequest: 1.0 / 1e6,
} as const;

/** serverless.yml's `provider.memorySize`, in MB. */
export const LAMBDA_MEMORY_MB = 512;

export interface CostFigures {
  batchSize: number;
  perJob: { sqsRequests: number; lambdaRequests: number; lambdaGbSeconds: number; httpApiRequests: number };
  /** USD per million jobs, by item and in total. */
  perMillionJobs: { sqs: number; lambdaRequests: number; lambdaDuration: number; httpApi: number; total: number };
}

/** Lambda bills each invocation's duration rounded up to the next millisecond. */
function billedGbSeconds(durationsMs: number[]): number {
  const billedMs = durationsMs.reduce((sum, duration) => sum + Math.ceil(duration), 0);
  return (billedMs / 1000) * (LAMBDA_MEMORY_MB / 1024);
}

/**
 * Computes the cost per job as sum(requests per job x price per request) + GB-seconds per job x
 * price per GB-second, and scales it to a million jobs. SQS requests include the event source's
 * receives and deletes, which AWS bills to the account. HTTP API requests are one per enqueue call.
 */
export function estimateCost(figures: LifecycleFigures): CostFigures {
  const jobs = figures.jobs;
  const perJob = {
    sqsRequests:
      (total(figures.enqueueCounts.sqs) + total(figures.processCounts.sqs) + total(figures.enqueueCounts.eventSource) + total(figures.processCounts.eventSource)) / jobs,
    lambdaRequests: (figures.invocations.enqueue + figures.invocations.process) / jobs,
    lambdaGbSeconds: (billedGbSeconds(figures.durationsMs.enqueue) + billedGbSeconds(figures.durationsMs.process)) / jobs,
    httpApiRequests: figures.invocations.enqueue / jobs,
  };
  const million = 1e6;
  const perMillionJobs = {
    sqs: perJob.sqsRequests * PRICES.sqsPerRequest * million,
    lambdaRequests: perJob.lambdaRequests * PRICES.lambdaPerRequest * million,
    lambdaDuration: perJob.lambdaGbSeconds * PRICES.lambdaPerGbSecondArm64 * million,
    httpApi: perJob.httpApiRequests * PRICES.httpApiPerRequest * million,
    total: 0,
  };
  perMillionJobs.total = perMillionJobs.sqs + perMillionJobs.lambdaRequests + perMillionJobs.lambdaDuration + perMillionJobs.httpApi;
  return { batchSize: figures.batchSize, perJob, perMillionJobs };
}
