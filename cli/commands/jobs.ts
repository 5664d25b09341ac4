import { Command, Option } from 'commander';
import { MAX_ATTEMPTS_LIMIT } from '../../lib/jobs/request';
import type { Job } from '../../sdk';
import { clientFor, print, wholeNumber, type GlobalOptions } from '../options';

/** Formats a job as aligned `field value` lines. */
export function describeJob(job: Job): string {
  const rows: Array<[string, string]> = [
    ['id', job.id],
    ['queue', job.queue],
    ['type', job.type],
    ['state', job.state],
    ['attempts', `${job.attempts} of ${job.maxAttempts}`],
    ['priority', String(job.priority)],
    ['run at', job.runAt],
    ['created', job.createdAt],
    ['updated', job.updatedAt],
    ['started', job.startedAt ?? '-'],
    ['finished', job.finishedAt ?? '-'],
    ['deferrals', String(job.deferrals)],
    ['last error', job.lastError ? `${job.lastError.name}: ${job.lastError.message} (attempt ${job.lastError.attempt}${job.lastError.permanent ? ', permanent' : ''})` : '-'],
    ['result', job.result === null || job.result === undefined ? '-' : JSON.stringify(job.result)],
  ];
  return rows.map(([field, value]) => `${field.padEnd(11)}${value}`).join('\n');
}

export function statusCommand(): Command {
  return new Command('status')
    .description("Print a job's state, attempts, last error and result")
    .argument('<id>', 'the job id returned by enqueue')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const job = await clientFor(global).getJob(id);
      print(global.json ? JSON.stringify(job) : describeJob(job));
    });
}

export function cancelCommand(): Command {
  return new Command('cancel')
    .description('Cancel a job that has not started (queued or delayed)')
    .argument('<id>', 'the job id')
    .action(async (id: string, _flags: unknown, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const job = await clientFor(global).cancel(id);
      print(global.json ? JSON.stringify(job) : `${job.id} ${job.state}`);
    });
}

export function retryCommand(): Command {
  return new Command('retry')
    .description('Retry a dead job')
    .argument('<id>', 'the id of a dead job')
    .addOption(new Option('--max-attempts <count>', `attempts to add, 1 to ${MAX_ATTEMPTS_LIMIT} (default: the job type's)`).argParser(wholeNumber(1, MAX_ATTEMPTS_LIMIT)))
    .action(async (id: string, flags: { maxAttempts?: number }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const job = await clientFor(global).retry(id, flags.maxAttempts === undefined ? {} : { maxAttempts: flags.maxAttempts });
      print(global.json ? JSON.stringify(job) : `${job.id} ${job.state} (attempts ${job.attempts} of ${job.maxAttempts})`);
    });
}

export function statsCommand(): Command {
  return new Command('stats')
    .description("Print a queue's job counts by state")
    .argument('<queue>', 'a queue of queues.json')
    .action(async (queue: string, _flags: unknown, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const stats = await clientFor(global).stats(queue);
      if (global.json) {
        print(JSON.stringify(stats));
        return;
      }
      print(`queue ${stats.queue}`);
      for (const [state, count] of Object.entries(stats.counts)) {
        print(`${state.padEnd(11)}${count}`);
      }
      print(`${'total'.padEnd(11)}${stats.total}`);
    });
}
