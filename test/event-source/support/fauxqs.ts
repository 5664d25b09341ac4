import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Maximum wait for the emulator to print its port; it usually starts in well under a second. */
const START_TIMEOUT_MS = 10_000;

export interface FauxqsProcess {
  port: number;
  /** SQS client endpoint. Queue URLs use `sqs.<region>.localhost:<port>`, which this machine does not resolve. */
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts fauxqs in a child process on 127.0.0.1 and a free port. */
export async function startFauxqs(): Promise<FauxqsProcess> {
  const child = spawn(process.execPath, [join(__dirname, 'fauxqs-launcher.mjs')], {
    cwd: join(__dirname, '..', '..', '..'),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const port = await readPort(child);
    return { port, endpoint: `http://127.0.0.1:${port}`, stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

async function readPort(child: ChildProcess): Promise<number> {
  if (child.stdout === null) {
    throw new Error('fauxqs launcher has no stdout');
  }
  const lines = createInterface({ input: child.stdout });
  const timeout = setTimeout(() => lines.close(), START_TIMEOUT_MS);
  try {
    for await (const line of lines) {
      const { port } = JSON.parse(line) as { port: number };
      return port;
    }
  } finally {
    clearTimeout(timeout);
  }
  throw new Error(`fauxqs did not print its port within ${START_TIMEOUT_MS} ms (exit code ${String(child.exitCode)})`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}
