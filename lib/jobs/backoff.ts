/** Retry timing of a job type. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Delay before the second attempt, before jitter. */
  baseDelayMs: number;
  /** Cap on any one delay. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 2_000, maxDelayMs: 15 * 60_000 };

/**
 * Computes the wait before the next attempt after `attempt` failed: exponential
 * (`baseDelayMs * 2^(attempt-1)`, capped at `maxDelayMs`) with "equal jitter", so the wait is
 * between half and all of that value. Half is kept so that retries never bunch at zero.
 * `random` returns a number in [0, 1).
 */
export function computeBackoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(exponent, 40));
  const half = ceiling / 2;
  return Math.round(half + random() * half);
}
