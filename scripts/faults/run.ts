/**
 * `npm run faults`: the fault suite. Starts its own local stack and a webhook receiver on
 * 127.0.0.1, enqueues webhook jobs at a steady rate while it crashes `serverless offline`
 * mid-batch, kills a Redis master, restarts the SQS emulator and drops every MongoDB connection at
 * random moments, then checks every job against the store and the receiver and prints the figures.
 * Exits with 1 on any violation.
 *
 * Options (environment): FAULT_JOBS (default 5000), FAULT_RATE (jobs enqueued per second, default 25),
 * FAULT_SEED (default: random; printed, so a run can be repeated), FAULT_CRASHES (SIGKILLs of the
 * functions' process, default 4), FAULT_REDIS_KILLS (default 1), FAULT_SQS_RESTARTS (default 1),
 * FAULT_MONGO_DROPS (default 2), FAULT_DRAIN_SECONDS (default 300), SLUICE_FAULTS_REDIS_BASE_PORT
 * (first of six Redis Cluster ports, default 7200), FAULT_FUNCTION_LOG (a file for the functions' log lines).
 */
import { createWriteStream } from 'node:fs';
import { FaultKind } from './fault-plan';
import { printReport } from './report';
import { runFaultSuite } from './suite';

// The lockfile pins the AWS SDK; its notice that releases after January 2027 need Node 22 is not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function log(line: string): void {
  process.stdout.write(`[faults] ${line}\n`);
}

function readInt(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name}=${JSON.stringify(raw)} is invalid; set it to a whole number of ${min} or more`);
  }
  return value;
}

async function main(): Promise<void> {
  const commandStartedAt = Date.now();
  const options = {
    jobs: readInt('FAULT_JOBS', 5_000, 1),
    enqueueRatePerSecond: readInt('FAULT_RATE', 25, 1),
    seed: readInt('FAULT_SEED', Math.floor(Math.random() * 1_000_000), 0),
    faults: {
      [FaultKind.functionsCrash]: readInt('FAULT_CRASHES', 4, 0),
      [FaultKind.redisMasterKill]: readInt('FAULT_REDIS_KILLS', 1, 0),
      [FaultKind.sqsRestart]: readInt('FAULT_SQS_RESTARTS', 1, 0),
      [FaultKind.mongoDrop]: readInt('FAULT_MONGO_DROPS', 2, 0),
    },
    drainTimeoutMs: readInt('FAULT_DRAIN_SECONDS', 300, 1) * 1000,
    redisBasePort: readInt('SLUICE_FAULTS_REDIS_BASE_PORT', 7200, 1024),
    log,
  };
  const functionLogFile = process.env.FAULT_FUNCTION_LOG;
  const functionLog = functionLogFile ? createWriteStream(functionLogFile) : undefined;
  const controller = new AbortController();
  process.once('SIGINT', () => {
    log('SIGINT received; stopping everything the suite started');
    controller.abort(new Error('interrupted by SIGINT'));
  });

  const report = await runFaultSuite({
    ...options,
    signal: controller.signal,
    ...(functionLog ? { onFunctionLog: (line: string) => functionLog.write(`${line}\n`) } : {}),
  });
  functionLog?.end();
  printReport(report, log);
  log(`command duration: ${((Date.now() - commandStartedAt) / 1000).toFixed(1)} s`);
  if (report.violations.length > 0) {
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`[faults] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
