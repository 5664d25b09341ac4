/** Severity of a progress line, so a launcher can route errors to stderr. */
export type ProgressLevel = 'info' | 'error';

/** Receives the poller's progress and error lines. */
export type ProgressListener = (line: string, level: ProgressLevel) => void;

/** Repeats of one error within this interval are counted instead of printed. */
const REPEAT_INTERVAL_MS = 30_000;

/**
 * Emits progress lines and rate-limits repeated errors: the first error of a kind prints at once,
 * repeats within 30 s are counted, and the count rides on the next line printed for that kind.
 */
export class ProgressReporter {
  private readonly lastErrors = new Map<string, { printedAt: number; suppressed: number }>();

  constructor(private readonly listener: ProgressListener) {}

  info(line: string): void {
    this.emit(line, 'info');
  }

  /** Reports an error line; `kind` groups repeats (for example one kind per queue URL). */
  error(kind: string, line: string): void {
    const now = Date.now();
    const last = this.lastErrors.get(kind);
    if (last !== undefined && now - last.printedAt < REPEAT_INTERVAL_MS) {
      last.suppressed += 1;
      return;
    }
    const suffix = last !== undefined && last.suppressed > 0 ? ` (${last.suppressed} more like it in the last 30 s)` : '';
    this.lastErrors.set(kind, { printedAt: now, suppressed: 0 });
    this.emit(`${line}${suffix}`, 'error');
  }

  /** Forgets the repeats of `kind`, so its next error prints at once. */
  reset(kind: string): void {
    this.lastErrors.delete(kind);
  }

  private emit(line: string, level: ProgressLevel): void {
    try {
      this.listener(line, level);
    } catch {
      // A throwing listener is the caller's bug; it must not stop the receive loop or leave messages undeleted.
    }
  }
}

/** Formats an AWS SDK or network error as `Name: message` for one log line. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = error.message === '' && typeof code === 'string' ? code : error.message;
    return `${error.name}: ${message}`;
  }
  return String(error);
}
