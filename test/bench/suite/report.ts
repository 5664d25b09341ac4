/** Renders the benchmark figures as Markdown tables and a closing list of targets met and missed. */
import type { ColdStartFigures } from './cold-start';
import { PRICES, type CostFigures } from './cost';
import type { ExistingBenchmark } from './existing-benchmarks';
import type { EndToEndFigures, EnqueueFigures, LifecycleFigures } from './side-by-side';
import { total } from './stats';
import type { RoundTripCounts } from './tasks';

export interface BenchReport {
  command: string;
  date: string;
  machine: { cores: number; cpuModel: string; memoryGiB: number; node: string; redis: string; loadBefore: number[]; loadAfter: number[] };
  durationSeconds: number;
  lifecycle: LifecycleFigures[];
  enqueue: EnqueueFigures[];
  endToEnd: EndToEndFigures[];
  existing: ExistingBenchmark[];
  coldStart: ColdStartFigures[];
  cost: CostFigures[];
}

/** Targets at batch size 10, per job. */
export const TARGETS = {
  mongoPerJob: 0.5,
  sqsPerJob: 0.25,
  redisPerJob: 0.3,
  bundleBytes: 250_000,
  initMs: 150,
} as const;

interface Target {
  name: string;
  met: boolean;
  detail: string;
}

const decimal = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const whole = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');

function table(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) {
    lines.push(`| ${row.join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

function breakdown(counts: Record<string, number>, jobs: number): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? '-' : entries.map(([name, count]) => `${name.replace(/Command$/, '')} ${decimal(count / jobs)}`).join(', ');
}

function perJob(enqueue: RoundTripCounts, process: RoundTripCounts, kind: keyof RoundTripCounts, jobs: number) {
  return { enqueue: total(enqueue[kind]) / jobs, process: total(process[kind]) / jobs, all: (total(enqueue[kind]) + total(process[kind])) / jobs };
}

function roundTripSection(lifecycle: LifecycleFigures[]): string {
  const rows: (string | number)[][] = [];
  for (const figures of lifecycle) {
    for (const [label, kind] of [
      ['MongoDB commands', 'mongo'],
      ['SQS requests by Sluice', 'sqs'],
      ['SQS requests by the event source (Lambda)', 'eventSource'],
      ['Redis round trips', 'redis'],
      ['Redis commands sent', 'redisCommands'],
      ['Redis commands run, with those inside Lua scripts', 'redisExecuted'],
    ] as const) {
      const counts = perJob(figures.enqueueCounts, figures.processCounts, kind, figures.jobs);
      const combined = { ...figures.enqueueCounts[kind] };
      for (const [name, count] of Object.entries(figures.processCounts[kind])) {
        combined[name] = (combined[name] ?? 0) + count;
      }
      rows.push([figures.batchSize, label, decimal(counts.enqueue), decimal(counts.process), decimal(counts.all), breakdown(combined, figures.jobs)]);
    }
  }
  const jobs = lifecycle.map((figures) => `${whole(figures.jobs)} at batch ${figures.batchSize}`).join(', ');
  return `## 1. Round trips per job (counted; ${jobs})\n\n${table(['batch', 'round trip', 'enqueue', 'process', 'whole life', 'by command, per job'], rows)}`;
}

function cpuSection(lifecycle: LifecycleFigures[]): string {
  const rows = lifecycle.map((figures) => [
    figures.batchSize,
    whole(figures.cpuMicrosPerJob.enqueue),
    whole(figures.cpuMicrosPerJob.process),
    whole(figures.cpuMicrosPerJob.eventSource),
    `${whole(figures.cpuMicrosPerJob.bullmqWorker)} (concurrency ${figures.cpuMicrosPerJob.bullmqWorkerConcurrency})`,
    decimal(figures.cpuMicrosPerJob.process / figures.cpuMicrosPerJob.bullmqWorker),
  ]);
  return `## 2. CPU per job (µs of user + system time, median of the repeats)\n\n${table(
    ['batch', 'Sluice enqueue function', 'Sluice process function', 'event source (Lambda on AWS)', 'BullMQ worker', 'process / BullMQ'],
    rows,
  )}`;
}

function enqueueSection(enqueue: EnqueueFigures[]): string {
  const rows = enqueue.map((figures) => [
    figures.batchSize === 1 ? 'single (1 job per call; BullMQ add)' : `batch of ${figures.batchSize} (BullMQ addBulk)`,
    whole(figures.sluiceJobsPerSecond),
    whole(figures.bullmqJobsPerSecond),
    decimal(figures.ratio),
    whole(figures.sluiceCpuMicrosPerJob),
    whole(figures.bullmqCpuMicrosPerJob),
  ]);
  return `## 3. Enqueue throughput (one caller, calls one after another; ${whole(enqueue[0]?.jobs ?? 0)} jobs per round)\n\n${table(
    ['mode', 'Sluice jobs/s', 'BullMQ jobs/s', 'Sluice / BullMQ', 'Sluice CPU µs/job', 'BullMQ CPU µs/job'],
    rows,
  )}`;
}

function endToEndSection(endToEnd: EndToEndFigures[]): string {
  const rows = endToEnd.flatMap((figures) =>
    (['sluice', 'bullmq'] as const).map((side) => [
      figures.concurrency,
      side === 'sluice' ? 'Sluice' : 'BullMQ',
      whole(figures[side].jobsPerSecond),
      decimal(figures[side].p50Ms, 1),
      decimal(figures[side].p95Ms, 1),
      decimal(figures[side].p99Ms, 1),
    ]),
  );
  return `## 4. End to end, enqueue to completed (${whole(endToEnd[0]?.jobs ?? 0)} jobs per round, one producer adding batches of 10)\n\n${table(
    ['concurrency', 'queue', 'jobs/s', 'p50 ms', 'p95 ms', 'p99 ms'],
    rows,
  )}`;
}

function formatCell(value: unknown): string {
  if (typeof value !== 'number') {
    return String(value);
  }
  return Number.isInteger(value) ? whole(value) : decimal(value, value >= 100 ? 0 : 3);
}

function existingSection(existing: ExistingBenchmark[]): string {
  const parts = ['## 5. Delayed-job lateness and rate-limiter decisions\n'];
  for (const benchmark of existing) {
    if (!benchmark.figures) {
      parts.push(`${benchmark.name}: ${benchmark.skipped ?? `FAILED: ${benchmark.failed}`}\n`);
      continue;
    }
    parts.push(`${benchmark.name} (\`${benchmark.command}\`):\n`);
    const rows = benchmark.figures as Record<string, unknown>[];
    const columns = Object.keys(rows[0] ?? {});
    parts.push(table(columns, rows.map((row) => columns.map((column) => formatCell(row[column])))));
  }
  return parts.join('\n');
}

function coldStartSection(coldStart: ColdStartFigures[]): string {
  const rows = coldStart.map((figures) => [figures.function, whole(figures.bundleBytes / 1000), decimal(figures.initMs, 1), figures.largestPackages.map(([name, bytes]) => `${name} ${whole(bytes / 1000)}`).join(', ')]);
  return `## 6. Cold start (minified bundle; import in a fresh process, median of 10)\n\n${table(['function', 'bundle KB', 'init ms', 'largest packages in the bundle, KB'], rows)}`;
}

function costSection(cost: CostFigures[]): string {
  const rows = cost.map((figures) => [
    figures.batchSize,
    decimal(figures.perJob.sqsRequests),
    decimal(figures.perJob.lambdaRequests),
    figures.perJob.lambdaGbSeconds.toExponential(2),
    decimal(figures.perJob.httpApiRequests),
    decimal(figures.perMillionJobs.sqs),
    decimal(figures.perMillionJobs.lambdaRequests),
    decimal(figures.perMillionJobs.lambdaDuration),
    decimal(figures.perMillionJobs.httpApi),
    decimal(figures.perMillionJobs.total),
  ]);
  return `## 7. Cost per million jobs (USD, ${PRICES.region} list prices recorded ${PRICES.recordedOn}; Lambda arm64, 512 MB)\n\n${table(
    ['batch', 'SQS req/job', 'Lambda req/job', 'GB-s/job', 'API req/job', 'SQS $', 'Lambda req $', 'Lambda GB-s $', 'HTTP API $', 'total $'],
    rows,
  )}`;
}

/** Evaluates every target against the figures. */
export function evaluateTargets(report: BenchReport): Target[] {
  const targets: Target[] = [];
  const atTen = report.lifecycle.find((figures) => figures.batchSize === 10);
  if (atTen) {
    const mongo = perJob(atTen.enqueueCounts, atTen.processCounts, 'mongo', atTen.jobs).all;
    const sqs = perJob(atTen.enqueueCounts, atTen.processCounts, 'sqs', atTen.jobs).all;
    const redis = perJob(atTen.enqueueCounts, atTen.processCounts, 'redis', atTen.jobs).all;
    targets.push({ name: 'MongoDB round trips per job at batch 10', met: mongo <= TARGETS.mongoPerJob, detail: `${decimal(mongo)} (target <= ${TARGETS.mongoPerJob})` });
    targets.push({ name: "SQS requests per job at batch 10 (Sluice's own)", met: sqs <= TARGETS.sqsPerJob, detail: `${decimal(sqs)} (target <= ${TARGETS.sqsPerJob})` });
    targets.push({ name: 'Redis round trips per job at batch 10', met: redis <= TARGETS.redisPerJob, detail: `${decimal(redis)} (target <= ${TARGETS.redisPerJob})` });
  }
  for (const figures of report.lifecycle) {
    const { process, bullmqWorker } = figures.cpuMicrosPerJob;
    targets.push({
      name: `process function CPU per job at batch ${figures.batchSize} <= BullMQ worker`,
      met: process <= bullmqWorker,
      detail: `${whole(process)} µs vs ${whole(bullmqWorker)} µs`,
    });
  }
  for (const batchEnqueue of report.enqueue.filter((figures) => figures.batchSize > 1)) {
    targets.push({ name: `batch enqueue of ${batchEnqueue.batchSize} >= BullMQ addBulk`, met: batchEnqueue.ratio >= 1, detail: `ratio ${decimal(batchEnqueue.ratio)}` });
  }
  for (const benchmark of report.existing) {
    const rows = (benchmark.figures ?? []) as Record<string, number | string | boolean>[];
    if (benchmark.name === 'delay-lateness' && rows.length > 0) {
      const met = rows.every((row) => (row.medianMs as number) <= (row.targetMedianMs as number) && (row.p99Ms as number) <= (row.targetP99Ms as number));
      targets.push({ name: 'delay lateness median <= 1 s and p99 <= 2 s on every row', met, detail: rows.map((row) => `${row.delay} ${whole(row.medianMs as number)}/${whole(row.p99Ms as number)} ms`).join(', ') });
    }
    if (benchmark.name === 'rate-limiter' && rows.length > 0) {
      const met = rows.every((row) => (row.scriptCallsPerDecision as number) <= 1);
      targets.push({ name: 'one Redis round trip per limiter decision', met, detail: rows.map((row) => decimal(row.scriptCallsPerDecision as number)).join(', ') });
    }
  }
  for (const figures of report.coldStart) {
    targets.push({ name: `${figures.function} bundle <= 250 KB minified`, met: figures.bundleBytes <= TARGETS.bundleBytes, detail: `${whole(figures.bundleBytes / 1000)} KB` });
    targets.push({ name: `${figures.function} init <= 150 ms`, met: figures.initMs <= TARGETS.initMs, detail: `${decimal(figures.initMs, 1)} ms` });
  }
  return targets;
}

/** Renders the whole report: the machine, one section per figure and the targets. */
export function renderReport(report: BenchReport): string {
  const { machine } = report;
  const header = [
    `# Sluice benchmark, ${report.date}`,
    '',
    `Command: \`${report.command}\` (${report.durationSeconds} s). Machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node.js ${machine.node}, redis-server ${machine.redis}; load average ${machine.loadBefore.map((load) => decimal(load)).join(' ')} before, ${machine.loadAfter.map((load) => decimal(load)).join(' ')} after.`,
    'MongoDB is the wire-protocol test server (a test double), SQS the fauxqs emulator, Redis a local six-node cluster; BullMQ uses a plain redis-server. No-op jobs.',
    '',
  ].join('\n');
  const targets = evaluateTargets(report);
  const closing = [
    '## Targets',
    '',
    ...targets.map((target) => `- ${target.met ? 'met' : 'MISSED'}: ${target.name}: ${target.detail}`),
    '',
    `${targets.filter((target) => target.met).length} of ${targets.length} targets met.`,
    '',
  ].join('\n');
  return [
    header,
    roundTripSection(report.lifecycle),
    cpuSection(report.lifecycle),
    enqueueSection(report.enqueue),
    endToEndSection(report.endToEnd),
    existingSection(report.existing),
    coldStartSection(report.coldStart),
    costSection(report.cost),
    closing,
  ].join('\n');
}
