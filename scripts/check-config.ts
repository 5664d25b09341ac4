/**
 * `npm run check:config`: checks the queue definitions (default queues.json, or SLUICE_QUEUES_FILE)
 * and exits with 1, listing every problem, when a setting is unknown, out of range or breaks a
 * deployment rule. `npm run package` runs it before `serverless package`.
 * Usage: tsx scripts/check-config.ts [queues.json]
 */
import { readFileSync } from 'node:fs';
import { checkQueueDefinitions, DEFAULT_QUEUES_FILE, queuesFileFromEnv } from '../lib/queues/definitions';

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`cannot read ${file} (${(error as Error).message}); it must be a JSON file\n`);
    process.exit(1);
  }
}

const queuesFile = process.argv[2] ?? queuesFileFromEnv() ?? DEFAULT_QUEUES_FILE;
const problems = checkQueueDefinitions(readJson(queuesFile)).map((problem) => `${queuesFile}: ${problem}`);
if (problems.length > 0) {
  process.stderr.write(`configuration check failed:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`${queuesFile}: every queue passes the configuration check\n`);
