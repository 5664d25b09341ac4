import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger of Sluice: structured JSON lines through Powertools. Scope it per job with
 * {@link jobLogger}. Payloads and results are never logged.
 */
export const logger = new Logger({ serviceName: 'sluice' });

/** Returns a child logger whose lines carry the job's id, queue and attempt. */
export function jobLogger(parent: Logger, fields: { jobId: string; queue: string; attempt?: number }): Logger {
  const child = parent.createChild();
  child.appendKeys(fields);
  return child;
}

/** Writes a cache or other best-effort failure as a warning and carries on. */
export function describeError(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}
