/**
 * Returns a wrapper that runs at most `limit` of the wrapped calls at once; the others wait in
 * arrival order. Used to cap how many records of one invocation run in parallel.
 */
export function limitConcurrency<Args extends unknown[], Result>(limit: number, fn: (...args: Args) => Promise<Result>): (...args: Args) => Promise<Result> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (...args: Args) => {
    if (running >= limit) {
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    running += 1;
    try {
      return await fn(...args);
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

/** Returns a runner that runs at most `limit` of the tasks handed to it at once, in arrival order. */
export function createTaskLimiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  const run = limitConcurrency(limit, (task: () => Promise<unknown>) => task());
  return <T>(task: () => Promise<T>) => run(task) as Promise<T>;
}
