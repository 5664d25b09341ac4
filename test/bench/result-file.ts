import { writeFileSync } from 'node:fs';

/**
 * Writes a benchmark's figures as JSON to the file named by SLUICE_BENCH_RESULT_FILE, so that
 * `npm run bench` can collect them; does nothing when the variable is unset.
 */
export function writeBenchResult(figures: unknown): void {
  const file = process.env.SLUICE_BENCH_RESULT_FILE;
  if (file) {
    writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
  }
}
