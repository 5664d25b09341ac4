/** First retry delay after a failed receive or invoke. */
const FIRST_RETRY_DELAY_MS = 500;
/** Maximum retry delay, so polling resumes within 10 s of a late local stack coming up. */
const MAX_RETRY_DELAY_MS = 10_000;

/** Returns the delay before retry number `failures` (1 for the first): 500 ms doubling up to 10 s. */
export function retryDelayMs(failures: number): number {
  const exponent = Math.max(0, failures - 1);
  return Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** exponent);
}

/** Waits `ms` milliseconds, or less when `signal` aborts. Never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
