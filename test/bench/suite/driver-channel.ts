/**
 * The message channel between the benchmark runner and its driver processes (one for Sluice,
 * one for BullMQ). The runner forks a driver with an IPC channel, sends one task at a time and
 * waits for its result, so that no two measurements overlap.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stopChild } from '../../../localstack/child-process';

interface TaskMessage {
  id: number;
  task: unknown;
}

type ReplyMessage = { id: number; result: unknown } | { id: number; error: string };

/** How long a driver gets to close its clients after SIGTERM before it gets SIGKILL. */
const STOP_GRACE_MS = 10_000;

export interface Driver {
  pid: number;
  /** Runs one task in the driver and resolves with its result; rejects with the driver's error. */
  run<Result>(task: unknown): Promise<Result>;
  /** Stops the driver process (SIGTERM, then SIGKILL after 10 s). Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Powertools Metrics warns on stderr when an invocation flushes no metrics. That happens when
 * concurrent invocations share one process, as in the end-to-end rounds (Lambda runs one
 * invocation per container at a time), because their metrics share one module-level buffer.
 */
const DROPPED_STDERR = /No application metrics to publish/;

/**
 * Forks `script` (TypeScript, loaded through tsx) with `env` and returns a handle to run tasks in
 * it. Its stdout is discarded, since function logs would drown the progress lines, and its stderr
 * is passed through, except the warning in {@link DROPPED_STDERR}. With `profileDir`, the driver
 * writes a V8 CPU profile there when it exits.
 */
export function startDriver(script: string, env: NodeJS.ProcessEnv, options: { profileDir?: string } = {}): Driver {
  const profile = options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : [];
  const child: ChildProcess = fork(script, [], {
    execArgv: ['--import', 'tsx', ...profile],
    env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
    if (!DROPPED_STDERR.test(line)) {
      process.stderr.write(`${line}\n`);
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 1;

  child.on('message', (message: ReplyMessage) => {
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if ('error' in message) {
      waiter?.reject(new Error(message.error));
    } else {
      waiter?.resolve(message.result);
    }
  });
  child.once('exit', (code, signal) => {
    for (const waiter of pending.values()) {
      waiter.reject(new Error(`driver ${script} exited (${code ?? signal}) during a task`));
    }
    pending.clear();
  });

  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid as number,
    run<Result>(task: unknown): Promise<Result> {
      const id = nextId;
      nextId += 1;
      return new Promise<Result>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.send({ id, task } satisfies TaskMessage);
      });
    },
    stop() {
      stopping ??= stopChild(child, exited, STOP_GRACE_MS);
      return stopping;
    },
  };
}

/**
 * Serves tasks inside a driver process: calls `handle` for each task, one at a time, and sends
 * back its result or its error message. `close` runs on SIGTERM or when the runner goes away,
 * before the process exits.
 */
export function serveTasks(handle: (task: any) => Promise<unknown>, close: () => Promise<void>): void {
  let queue: Promise<void> = Promise.resolve();
  process.on('message', (message: TaskMessage) => {
    queue = queue.then(async () => {
      try {
        const result = await handle(message.task);
        process.send?.({ id: message.id, result } satisfies ReplyMessage);
      } catch (error) {
        const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
        process.send?.({ id: message.id, error: text } satisfies ReplyMessage);
      }
    });
  });
  // A stop request does not wait for the running task: closing the clients ends it.
  process.once('SIGTERM', () => {
    void close().finally(() => process.exit(0));
  });
  process.once('disconnect', () => {
    void close().finally(() => process.exit(0));
  });
}
