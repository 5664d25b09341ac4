import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { MAX_ATTEMPTS_LIMIT, MAX_DELAY_SECONDS } from '../../lib/jobs/request';
import type { EnqueueOptions } from '../../sdk';
import { clientFor, idempotencyKeyField, print, runAtField, UsageError, wholeNumber, type GlobalOptions } from '../options';

interface EnqueueFlags {
  payloadFile?: string;
  delay?: number;
  runAt?: string;
  priority?: number;
  maxAttempts?: number;
  idempotencyKey?: string;
}

/** Reads the payload from the argument or from `--payload-file` (`-` is stdin); `{}` when neither is given. */
function readPayload(argument: string | undefined, file: string | undefined): unknown {
  if (argument !== undefined && file !== undefined) {
    throw new UsageError('the payload argument and --payload-file cannot be combined; pass one of them');
  }
  let text = argument ?? '{}';
  let source = 'the payload argument';
  if (file !== undefined) {
    source = file === '-' ? '--payload-file - (stdin)' : `--payload-file ${file}`;
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (error) {
      throw new UsageError(`${source} could not be read (${(error as Error).message}); pass a readable JSON file`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON (${(error as Error).message}); pass a JSON value such as '{"url":"http://127.0.0.1:8080/hook"}'`);
  }
}

export function enqueueCommand(): Command {
  return new Command('enqueue')
    .description('Enqueue one job and print its id and state')
    .argument('<queue>', 'a queue of queues.json, such as webhooks')
    .argument('<type>', 'a registered job type, such as http')
    .argument('[payload]', 'the payload as JSON (default {})')
    .option('--payload-file <path>', 'read the payload as JSON from a file, or from stdin with -')
    .addOption(new Option('--delay <seconds>', `seconds until the job is due, 0 to ${MAX_DELAY_SECONDS} (30 days)`).argParser(wholeNumber(0, MAX_DELAY_SECONDS, ' of seconds')).conflicts('runAt'))
    .addOption(new Option('--run-at <time>', 'when the job is due: ISO 8601 with a time zone, at most 30 days ahead').argParser(runAtField))
    .addOption(new Option('--priority <0-9>', 'priority lane selector, 0 (default) to 9').argParser(wholeNumber(0, 9)))
    .addOption(new Option('--max-attempts <count>', `attempts before the job is dead, 1 to ${MAX_ATTEMPTS_LIMIT} (default: the job type's)`).argParser(wholeNumber(1, MAX_ATTEMPTS_LIMIT)))
    .addOption(new Option('--idempotency-key <key>', 'repeat-safe key: the same key on the same queue within 24 hours returns the first job').argParser(idempotencyKeyField))
    .addHelpText('after', `\nExample:\n  sluice enqueue webhooks http '{"url":"http://127.0.0.1:8080/hook","body":{"order":42}}' --delay 30`)
    .action(async (queue: string, type: string, payloadArgument: string | undefined, flags: EnqueueFlags, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const payload = readPayload(payloadArgument, flags.payloadFile);
      const options: EnqueueOptions = {
        ...(flags.delay === undefined ? {} : { delaySeconds: flags.delay }),
        ...(flags.runAt === undefined ? {} : { runAt: flags.runAt }),
        ...(flags.priority === undefined ? {} : { priority: flags.priority }),
        ...(flags.maxAttempts === undefined ? {} : { maxAttempts: flags.maxAttempts }),
        ...(flags.idempotencyKey === undefined ? {} : { idempotencyKey: flags.idempotencyKey }),
      };
      const job = await clientFor(global).enqueue(queue, type, payload, options);
      print(global.json ? JSON.stringify(job) : `${job.id} ${job.state}${job.existing ? ' (existing job for this idempotency key)' : ''}`);
    });
}
