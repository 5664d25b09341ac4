/**
 * A counting semaphore: at most `permits` holders at once. Waiters are served in arrival order.
 */
export class Semaphore {
  private available: number;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly permits: number) {
    this.available = permits;
  }

  /** Number of permits currently held. */
  get held(): number {
    return this.permits - this.available;
  }

  /**
   * Waits for a free permit and takes it. Resolves true once taken, or false without taking one when
   * `signal` aborts first.
   */
  acquire(signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) {
      return Promise.resolve(false);
    }
    if (this.available > 0) {
      this.available -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const grant = (): void => {
        signal.removeEventListener('abort', cancel);
        resolve(true);
      };
      const cancel = (): void => {
        const index = this.waiters.indexOf(grant);
        if (index !== -1) {
          this.waiters.splice(index, 1);
        }
        resolve(false);
      };
      this.waiters.push(grant);
      signal.addEventListener('abort', cancel, { once: true });
    });
  }

  /** Returns a permit, handing it straight to the longest waiter when there is one. */
  release(): void {
    const next = this.waiters.shift();
    if (next !== undefined) {
      next();
      return;
    }
    if (this.available === this.permits) {
      throw new Error('Semaphore.release called more often than acquire');
    }
    this.available += 1;
  }
}
