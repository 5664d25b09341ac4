import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger of Sluice: structured JSON lines through Powertools. Scope it per job with
 * {@link jobLogger}. Payloads and results are never logged.
 */
export const logger = new Logger({ serviceName: 'sluice' });

/** Keys that every log line about one job carries. */
export interface JobLogKeys {
  jobId: string;
  queue: string;
  /** The job type; unknown until the job is read. */
  type?: string;
  /** The attempt number; set once the job is claimed. */
  attempt?: number;
}

/**
 * Returns a child logger whose lines carry the job's keys. The child keeps the parent's Lambda
 * context (`function_request_id` and the function's name) that `injectLambdaContext` set.
 */
export function jobLogger(parent: Logger, keys: JobLogKeys): Logger {
  const child = parent.createChild();
  child.appendKeys({ ...keys });
  return child;
}

/** Reduces an error to its name and message, for a log line about a failure that is not raised. */
export function describeError(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}
