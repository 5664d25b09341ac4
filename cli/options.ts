import { InvalidArgumentError, Option, type Command } from 'commander';
import type { z } from 'zod';
import { jobRequestSchema } from '../lib/jobs/request';
import { createSluiceClient, DEFAULT_URL, type AnyJobTypes, type SluiceClient } from '../sdk';

/** Exit statuses of the `sluice` command. */
export const ExitCode = {
  ok: 0,
  /** The API returned an error status. */
  requestFailed: 1,
  /** A flag or argument is invalid; nothing was sent. */
  usage: 2,
  /** No response from the API: connection refused or reset, or timed out. */
  connectionFailed: 3,
} as const;

/** A command-line value that is invalid, found after commander parsed the flags; exits with {@link ExitCode.usage}. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Options every subcommand reads through `optsWithGlobals()`. */
export interface GlobalOptions {
  url: string;
  apiKey?: string;
  retries: number;
  timeout: number;
  json?: boolean;
}

/** Builds an option parser that accepts a whole number from `min` to `max`, naming the range in its error. */
export function wholeNumber(min: number, max: number, unit = ''): (value: string) => number {
  return (value) => {
    if (!/^-?\d+$/.test(value.trim())) {
      throw new InvalidArgumentError(`Use a whole number${unit} from ${min} to ${max}.`);
    }
    const number = Number(value);
    if (number < min || number > max) {
      throw new InvalidArgumentError(`Use a whole number${unit} from ${min} to ${max}.`);
    }
    return number;
  };
}

/** Builds an option parser that checks a value with one field schema of the enqueue request, so the CLI and the API agree. */
export function requestField<Output>(schema: z.ZodType<Output>, convert: (value: string) => unknown = (value) => value): (value: string) => Output {
  return (value) => {
    const parsed = schema.safeParse(convert(value));
    if (!parsed.success) {
      throw new InvalidArgumentError(`It ${parsed.error.issues.map((issue) => issue.message).join('; ')}.`);
    }
    return parsed.data;
  };
}

export const runAtField = requestField(jobRequestSchema.shape.runAt.unwrap());
export const idempotencyKeyField = requestField(jobRequestSchema.shape.idempotencyKey.unwrap());

function parseUrl(value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new InvalidArgumentError(`Use the API's base URL, such as ${DEFAULT_URL}.`);
  }
  return value;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new InvalidArgumentError('Use a number of seconds greater than 0 and at most 3600, such as 2 or 0.5.');
  }
  return seconds;
}

export const secondsOption = parseSeconds;

/** Adds the options shared by every subcommand to the root command. */
export function addGlobalOptions(program: Command): Command {
  return program
    .addOption(new Option('--url <url>', 'base URL of the Sluice API').env('SLUICE_URL').default(DEFAULT_URL).argParser(parseUrl))
    .addOption(new Option('--api-key <key>', 'API key, sent as "Authorization: Bearer <key>"').env('SLUICE_API_KEY'))
    .addOption(new Option('--retries <count>', 'retries after a 429, a 5xx or a connection error').default(3).argParser(wholeNumber(0, 10)))
    .addOption(new Option('--timeout <seconds>', 'time limit of one request attempt, in seconds').default(10).argParser(parseSeconds))
    .option('--json', 'print the API responses as JSON (one object per line for tail)');
}

/** Creates the SDK client from the global options; job types are checked by the API, not here. */
export function clientFor(options: GlobalOptions): SluiceClient<AnyJobTypes> {
  return createSluiceClient<AnyJobTypes>({
    url: options.url,
    retries: options.retries,
    timeoutMs: options.timeout * 1000,
    ...(options.apiKey === undefined || options.apiKey === '' ? {} : { apiKey: options.apiKey }),
    onRetry: (event) => process.stderr.write(`retrying ${event.method} ${event.url} in ${event.delayMs} ms after ${event.reason} (attempt ${event.attempt})\n`),
  });
}

/** Writes one line to stdout. */
export function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
