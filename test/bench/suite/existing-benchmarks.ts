/**
 * Runs the delay-lateness and rate-limiter benchmarks (test/bench) as child processes with
 * smaller sizes than their own defaults, and collects the figures they write as JSON.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BENCH_DIR = join(__dirname, '..');

export interface ExistingBenchmark {
  name: 'delay-lateness' | 'rate-limiter';
  command: string;
  /** Figures as the benchmark wrote them; absent when it was skipped or failed. */
  figures?: unknown[];
  skipped?: string;
  failed?: string;
}

interface Definition {
  name: ExistingBenchmark['name'];
  script: string;
  env: Record<string, string>;
}

async function runOne(definition: Definition, redisBasePort: number, progress: (line: string) => void): Promise<ExistingBenchmark> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-result-'));
  const resultFile = join(dir, 'figures.json');
  const env = { ...definition.env, SLUICE_BENCH_REDIS_BASE_PORT: String(redisBasePort) };
  const command = `${Object.entries(env).map(([name, value]) => `${name}=${value}`).join(' ')} npx tsx test/bench/${definition.script}`;
  try {
    const child = spawn(process.execPath, ['--import', 'tsx', join(BENCH_DIR, definition.script)], {
      env: { ...process.env, ...env, SLUICE_BENCH_RESULT_FILE: resultFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => progress(`${definition.name}: ${line}`));
    }
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    if (code !== 0) {
      return { name: definition.name, command, failed: `exited with code ${code}; its output is above` };
    }
    return { name: definition.name, command, figures: JSON.parse(readFileSync(resultFile, 'utf8')) as unknown[] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the two benchmarks one after the other; their Redis Clusters use `redisBasePort`..+5 and
 * `redisBasePort`+10..+15. With `skip`, returns each as skipped.
 */
export async function runExistingBenchmarks(options: { skip: boolean; redisBasePort: number; progress: (line: string) => void }): Promise<ExistingBenchmark[]> {
  const definitions: Definition[] = [
    { name: 'rate-limiter', script: 'rate-limiter.bench.ts', env: { SLUICE_BENCH_SECONDS: '2' } },
    { name: 'delay-lateness', script: 'delay-lateness.bench.ts', env: { SLUICE_BENCH_JOBS_PER_ROW: '10' } },
  ];
  const results: ExistingBenchmark[] = [];
  for (const [index, definition] of definitions.entries()) {
    if (options.skip) {
      results.push({ name: definition.name, command: `npm run bench:${definition.name === 'rate-limiter' ? 'limiter' : 'delays'}`, skipped: 'skipped by --skip-existing' });
      continue;
    }
    options.progress(`running the ${definition.name} benchmark`);
    results.push(await runOne(definition, options.redisBasePort + index * 10, options.progress));
  }
  return results;
}
