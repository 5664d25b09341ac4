import type { Logger } from '@aws-lambda-powertools/logger';

/** Repeated limiter failures of one queue are logged once per this interval, with a count. */
const LOG_INTERVAL_MS = 10_000;

/**
 * Logs the fail-open or fail-closed decision taken when a Redis call fails, at most once per
 * queue and interval, so an outage does not flood the log. The lines left out are counted.
 */
export class RedisFailureLog {
  private readonly lastLogged = new Map<string, { at: number; suppressed: number }>();

  constructor(private readonly logger: Logger, private readonly intervalMs = LOG_INTERVAL_MS) {}

  record(queue: string, decision: string, error: unknown): void {
    const now = Date.now();
    const entry = this.lastLogged.get(queue);
    if (entry && now - entry.at < this.intervalMs) {
      entry.suppressed += 1;
      return;
    }
    this.logger.warn('rate limiter unavailable', {
      queue,
      decision,
      error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
      suppressedSinceLast: entry?.suppressed ?? 0,
    });
    this.lastLogged.set(queue, { at: now, suppressed: 0 });
  }
}
