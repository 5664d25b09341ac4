/**
 * `npm run check:config`: checks the queue definitions (queues.json, or SLUICE_QUEUES_FILE) and the
 * trigger definitions (triggers.json, or SLUICE_TRIGGERS_FILE), and exits with 1, listing every
 * problem, when a setting is unknown, out of range or breaks a deployment rule. `npm run package`
 * runs it before `serverless package`.
 * Usage: tsx scripts/check-config.ts [queues.json [triggers.json]]
 */
import { readFileSync } from 'node:fs';
import { createJobTypeRegistry } from '../lib/jobs/types';
import { checkQueueDefinitions, DEFAULT_QUEUES_FILE, queuesFileFromEnv } from '../lib/queues/definitions';
import { checkTriggerDefinitions, DEFAULT_TRIGGERS_FILE, triggersFileFromEnv } from '../lib/triggers/definitions';

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    process.stderr.write(`cannot read ${file} (${(error as Error).message}); it must be a JSON file\n`);
    process.exit(1);
  }
}

const queuesFile = process.argv[2] ?? queuesFileFromEnv() ?? DEFAULT_QUEUES_FILE;
const triggersFile = process.argv[3] ?? triggersFileFromEnv() ?? DEFAULT_TRIGGERS_FILE;
const queues = readJson(queuesFile) as { queues?: Record<string, unknown> };
const problems = checkQueueDefinitions(queues).map((problem) => `${queuesFile}: ${problem}`);
const known = { queues: Object.keys(queues.queues ?? {}), jobTypes: createJobTypeRegistry().names() };
problems.push(...checkTriggerDefinitions(readJson(triggersFile), known).map((problem) => `${triggersFile}: ${problem}`));

if (problems.length > 0) {
  process.stderr.write(`configuration check failed:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(`${queuesFile} and ${triggersFile} pass the configuration check\n`);
