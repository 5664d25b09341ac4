/**
 * Sluice's benchmark suite, `npm run bench`: round trips per job, CPU per job, enqueue throughput,
 * end-to-end throughput and latency side by side with BullMQ, the existing delay-lateness and
 * rate-limiter benchmarks, cold start, and the cost per million jobs. Prints a table to stdout,
 * writes the figures as JSON (default test/bench/results/latest.json) and progress lines to stderr.
 * `npm run bench -- --help` lists the options.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Command, InvalidArgumentError } from 'commander';
import { startBenchServices } from './bench-services';
import { measureColdStart } from './cold-start';
import { estimateCost } from './cost';
import { startDriver } from './driver-channel';
import { runExistingBenchmarks } from './existing-benchmarks';
import { renderReport, type BenchReport } from './report';
import { measureEndToEnd, measureEnqueue, measureLifecycle, type SideBySideOptions } from './side-by-side';

const REPOSITORY = join(__dirname, '..', '..', '..');
const DEFAULT_OUTPUT = join(REPOSITORY, 'test', 'bench', 'results', 'latest.json');
const BATCH_SIZES = [1, 10] as const;
/** 100 is the batch enqueue endpoint's maximum. */
const ENQUEUE_BATCH_SIZES = [1, 10, 100] as const;
const CONCURRENCIES = [1, 4, 16] as const;

function positiveInteger(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^\d+$/.test(value) || parsed < 1) {
      throw new InvalidArgumentError(`${flag} needs a whole number of 1 or more, got '${value}'`);
    }
    return parsed;
  };
}

function portRange(value: string): number[] {
  const match = /^(\d+)-(\d+)$/.exec(value);
  const first = Number(match?.[1]);
  const last = Number(match?.[2]);
  if (!match || first < 1024 || last > 65_535 || first > last || first <= 6379 && last >= 6379) {
    throw new InvalidArgumentError(`'${value}' is not a port range such as 7480-7499 (1024-65535, without 6379)`);
  }
  return Array.from({ length: last - first + 1 }, (_, index) => first + index);
}

const program = new Command()
  .name('npm run bench --')
  .description('Measures Sluice on the embedded local stack, side by side with BullMQ on a plain redis-server.')
  .option('--jobs <count>', 'jobs per batch size for round trips and CPU, split over the repeats', positiveInteger('--jobs'), 10_000)
  .option('--enqueue-jobs <count>', 'jobs per enqueue throughput round', positiveInteger('--enqueue-jobs'), 1_000)
  .option('--e2e-jobs <count>', 'jobs per end-to-end round', positiveInteger('--e2e-jobs'), 500)
  .option('--repeats <count>', 'repeats of every side-by-side measurement (medians are reported)', positiveInteger('--repeats'), 3)
  .option('--redis-base-port <port>', 'first port of the six Redis Cluster nodes; the delay and limiter benchmarks use the next 20', positiveInteger('--redis-base-port'), 7450)
  .option('--bullmq-redis-ports <range>', "ports to try for BullMQ's redis-server", portRange, portRange('7480-7499'))
  .option('--skip-existing', 'skip the delay-lateness and rate-limiter benchmarks (about 2.5 minutes)')
  .option('--output <file>', 'where to write the figures as JSON', DEFAULT_OUTPUT)
  .option('--profile <dir>', 'write a V8 CPU profile of each driver process (.cpuprofile) into this directory');

function progress(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function redisVersion(): string {
  try {
    return /v=(\S+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const flags = program.parse().opts<{
    jobs: number;
    enqueueJobs: number;
    e2eJobs: number;
    repeats: number;
    redisBasePort: number;
    bullmqRedisPorts: number[];
    skipExisting?: boolean;
    output: string;
    profile?: string;
  }>();
  const startedAt = Date.now();
  const machine = { cores: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, redis: redisVersion(), loadBefore: loadavg() };
  progress(`${machine.cores} cores, load average ${machine.loadBefore.map((load) => load.toFixed(2)).join(' ')}`);

  const driverOptions = flags.profile ? { profileDir: flags.profile } : {};
  const services = await startBenchServices({ redisBasePort: flags.redisBasePort, bullmqRedisPorts: flags.bullmqRedisPorts, onProgress: progress });
  const monitoredUri = `${services.mongodbUri}${services.mongodbUri.includes('?') ? '&' : '?'}monitorCommands=true`;
  const sluice = startDriver(join(__dirname, 'sluice-driver.ts'), {
    ...process.env,
    MONGODB_URI: monitoredUri,
    MONGODB_DATABASE: 'sluice_bench',
    REDIS_CLUSTER_NODES: services.redisNodes.join(','),
    SQS_ENDPOINT: services.sqsEndpoint,
    SLUICE_STAGE: 'bench',
    SLUICE_QUEUE: 'default',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  }, driverOptions);
  const bullmq = startDriver(join(__dirname, 'bullmq-driver.ts'), { ...process.env, BULLMQ_REDIS_PORT: String(services.bullmqRedisPort) }, driverOptions);

  // A signal sent to this process alone (not to its process group, as Ctrl-C is) would leave the
  // services running without this.
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal} received; stopping the drivers and services`);
    void Promise.all([sluice.stop(), bullmq.stop()])
      .then(() => services.stop())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let report: BenchReport;
  try {
    progress('preparing both sides and running warm-up jobs');
    await Promise.all([sluice.run({ kind: 'prepare' }), bullmq.run({ kind: 'prepare' })]);
    const options: SideBySideOptions = { lifecycleJobs: flags.jobs, enqueueJobs: flags.enqueueJobs, endToEndJobs: flags.e2eJobs, repeats: flags.repeats, progress };

    const lifecycle = [];
    for (const batchSize of BATCH_SIZES) {
      lifecycle.push(await measureLifecycle(sluice, bullmq, batchSize, options));
    }
    const enqueue = [];
    for (const batchSize of ENQUEUE_BATCH_SIZES) {
      enqueue.push(await measureEnqueue(sluice, bullmq, batchSize, options));
    }
    const endToEnd = [];
    for (const concurrency of CONCURRENCIES) {
      endToEnd.push(await measureEndToEnd(sluice, bullmq, concurrency, options));
    }
    await Promise.all([sluice.stop(), bullmq.stop()]);
    await services.stop();

    const existing = await runExistingBenchmarks({ skip: flags.skipExisting === true, redisBasePort: flags.redisBasePort + 10, progress });
    progress('cold start: bundling each function and timing its import in fresh processes');
    const coldStart = await measureColdStart(progress);
    const cost = lifecycle.map((figures) => estimateCost(figures));

    report = {
      command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
      date: new Date().toISOString(),
      machine: { ...machine, loadAfter: loadavg() },
      durationSeconds: 0,
      lifecycle,
      enqueue,
      endToEnd,
      existing,
      coldStart,
      cost,
    };
  } finally {
    await Promise.all([sluice.stop(), bullmq.stop()]);
    await services.stop();
  }
  report.durationSeconds = Math.round((Date.now() - startedAt) / 1000);
  mkdirSync(dirname(flags.output), { recursive: true });
  writeFileSync(flags.output, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(renderReport(report));
  progress(`figures written to ${flags.output}; the run took ${report.durationSeconds} s`);
}

main().catch((error: unknown) => {
  progress(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
