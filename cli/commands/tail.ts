import { Command, InvalidArgumentError, Option } from 'commander';
import { JOB_STATES, type JobState } from '../../lib/jobs/states';
import { SluiceConnectionError, type Job, type SluiceClient, type AnyJobTypes } from '../../sdk';
import { clientFor, print, secondsOption, type GlobalOptions } from '../options';

/**
 * Each poll lists jobs updated up to this long before the newest update seen, because job
 * updates are stamped by the clocks of many Lambda containers and may become visible out of
 * order. Jobs seen in that window are printed again only when their state changed.
 * NOTE: a write delayed by more than this window (or by clock skew beyond it) is missed.
 */
const LOOKBACK_MS = 2_000;
/** Jobs whose last state is remembered, to print `old -> new`; the oldest are forgotten first. */
const MAX_REMEMBERED_JOBS = 100_000;
/** Jobs per listing request, the API's maximum. */
const PAGE_LIMIT = 100;

export interface StateChange {
  job: Job;
  /** The state the job had when it was last seen, or null for a job seen for the first time. */
  previous: JobState | null;
}

/**
 * Follows a queue's state changes by polling `GET /queues/{queue}/jobs?updatedAfter=`: each
 * `poll()` returns the jobs whose state differs from the one last seen, oldest update first.
 */
export class QueueFollower {
  private readonly states = new Map<string, JobState>();
  private newest: Date;

  constructor(
    private readonly client: SluiceClient<AnyJobTypes>,
    private readonly queue: string,
    since: Date,
    private readonly stateFilter?: JobState,
  ) {
    this.newest = since;
  }

  async poll(): Promise<StateChange[]> {
    const changes: StateChange[] = [];
    const updatedAfter = new Date(this.newest.getTime() - LOOKBACK_MS);
    let after: string | undefined;
    do {
      const page = await this.client.listJobs(this.queue, {
        updatedAfter,
        limit: PAGE_LIMIT,
        ...(this.stateFilter === undefined ? {} : { state: this.stateFilter }),
        ...(after === undefined ? {} : { after }),
      });
      for (const job of page.jobs) {
        const change = this.observe(job);
        if (change) {
          changes.push(change);
        }
      }
      after = page.next ?? undefined;
    } while (after !== undefined);
    return changes;
  }

  private observe(job: Job): StateChange | undefined {
    const updatedAt = new Date(job.updatedAt);
    if (updatedAt > this.newest) {
      this.newest = updatedAt;
    }
    const previous = this.states.get(job.id);
    if (previous === job.state) {
      return undefined;
    }
    // Delete first so the re-inserted entry moves to the end of the map's insertion order.
    this.states.delete(job.id);
    this.states.set(job.id, job.state);
    if (this.states.size > MAX_REMEMBERED_JOBS) {
      const oldest = this.states.keys().next().value;
      if (oldest !== undefined) {
        this.states.delete(oldest);
      }
    }
    return { job, previous: previous ?? null };
  }
}

/** Formats a change as one line: time, job id, type, `old -> new` state, attempts and the last error. */
export function describeChange({ job, previous }: StateChange): string {
  const transition = previous === null ? job.state : `${previous} -> ${job.state}`;
  const error = job.lastError && (job.state === 'dead' || job.state === 'delayed') ? `  ${job.lastError.message}` : '';
  return `${job.updatedAt}  ${job.id}  ${job.type}  ${transition}  attempts ${job.attempts}/${job.maxAttempts}${error}`;
}

const DURATION_UNITS_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses `--since`: an ISO 8601 time, or a duration back from now such as 30s, 10m or 2h. */
function parseSince(value: string): Date {
  const duration = /^(\d+)([smh])$/.exec(value.trim());
  if (duration) {
    return new Date(Date.now() - Number(duration[1]) * (DURATION_UNITS_MS[duration[2] ?? 's'] ?? 1_000));
  }
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(time.getTime())) {
    throw new InvalidArgumentError('Use an ISO 8601 time such as 2030-01-01T12:00:00Z, or a duration such as 30s, 10m or 2h.');
  }
  return time;
}

function parseState(value: string): JobState {
  if (!(JOB_STATES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`Use one of ${JOB_STATES.join(', ')}.`);
  }
  return value as JobState;
}

/** Resolves after `ms`, or at once when `signal` aborts; removes its abort listener either way. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function tailCommand(): Command {
  return new Command('tail')
    .description("Follow a queue's jobs and print one line per state change, until Ctrl-C")
    .argument('<queue>', 'a queue of queues.json')
    .addOption(new Option('--interval <seconds>', 'seconds between polls').default(2).argParser(secondsOption))
    .addOption(new Option('--since <time>', 'also print changes since this ISO 8601 time or duration ago (30s, 10m, 2h); default: from now').argParser(parseSince))
    .addOption(new Option('--state <state>', `print only jobs that reach this state (${JOB_STATES.join(', ')})`).argParser(parseState))
    .action(async (queue: string, flags: { interval: number; since?: Date; state?: JobState }, command: Command) => {
      const global = command.optsWithGlobals<GlobalOptions>();
      const follower = new QueueFollower(clientFor(global), queue, flags.since ?? new Date(), flags.state);
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      process.stderr.write(`following queue ${queue} at ${global.url} every ${flags.interval} s; press Ctrl-C to stop\n`);

      let polls = 0;
      try {
        while (!stop.signal.aborted) {
          try {
            for (const change of await follower.poll()) {
              print(global.json ? JSON.stringify({ previous: change.previous, job: change.job }) : describeChange(change));
            }
          } catch (error) {
            // The first poll fails fast, so a wrong URL exits at once; later outages are waited out.
            if (!(error instanceof SluiceConnectionError) || polls === 0) {
              throw error;
            }
            process.stderr.write(`warning: ${error.message}; polling again in ${flags.interval} s\n`);
          }
          polls += 1;
          await pause(flags.interval * 1000, stop.signal);
        }
      } finally {
        process.removeListener('SIGINT', onSignal);
        process.removeListener('SIGTERM', onSignal);
      }
    });
}
