import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalStackError } from './errors';
import { delay, LOOPBACK_HOST, waitForPortFree } from './ports';
import { stopChild } from './child-process';

/** How long a node gets to exit after SIGTERM before it gets SIGKILL. */
const STOP_GRACE_MS = 5_000;

const OPERATION = 'start-redis-cluster';

/** One `redis-server` child process in cluster mode. */
export interface RedisNodeProcess {
  port: number;
  pid: number;
  directory: string;
  /** Resolves with the exit code (or signal name) when the process exits, also when something else stopped it. */
  exited: Promise<number | string>;
  /** Sends SIGTERM, then SIGKILL after 5 s; resolves once the process has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** Sends SIGKILL, as a crash would, and resolves once the process has exited. */
  kill(): Promise<void>;
}

/** Directory of the node on `port` under the cluster directory: config, pidfile, log and `nodes.conf`. */
export function nodeDirectory(clusterDirectory: string, port: number): string {
  return join(clusterDirectory, `node-${port}`);
}

export function nodePidfile(directory: string): string {
  return join(directory, 'redis.pid');
}

export function nodeLogfile(directory: string): string {
  return join(directory, 'redis.log');
}

/**
 * Renders a `redis.conf` for one cluster node. Persistence is off because the local stack keeps no data
 * between runs; `cluster-node-timeout` 5000 ms is the value the Redis cluster tutorial uses.
 */
export function renderNodeConfig(port: number, directory: string): string {
  return [
    `port ${port}`,
    `bind ${LOOPBACK_HOST}`,
    `dir ${quoteConfigValue(directory)}`,
    'cluster-enabled yes',
    'cluster-config-file nodes.conf',
    'cluster-node-timeout 5000',
    'appendonly no',
    'save ""',
    // By default Redis 7.0 waits 5 s for more replicas before it starts a diskless full sync.
    // Each master here has exactly one replica, so the wait would only delay startup.
    'repl-diskless-sync-delay 0',
    // The node runs in the foreground as a child process, so stop() can signal exactly this pid.
    'daemonize no',
    // Redis writes a pidfile even without daemonize when one is configured; a later start uses it to find leftovers.
    `pidfile ${quoteConfigValue(nodePidfile(directory))}`,
    `logfile ${quoteConfigValue(nodeLogfile(directory))}`,
    '',
  ].join('\n');
}

function quoteConfigValue(value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/**
 * Stops a `redis-server` left running on `port` by an earlier run that used the same directory.
 * The pidfile must name a live process whose command line is `redis-server 127.0.0.1:<port>`, so a
 * stale pidfile never leads to signalling an unrelated process. Returns the pid it stopped, or undefined.
 */
export async function stopLeftoverNode(directory: string, port: number): Promise<number | undefined> {
  const pid = await readPidfile(nodePidfile(directory));
  if (pid === undefined || !(await isRedisNodeProcess(pid, port))) {
    return undefined;
  }
  process.kill(pid, 'SIGTERM');
  if (!(await waitForProcessExit(pid, STOP_GRACE_MS))) {
    process.kill(pid, 'SIGKILL');
    await waitForProcessExit(pid, STOP_GRACE_MS);
  }
  await waitForPortFree(port, STOP_GRACE_MS);
  return pid;
}

async function readPidfile(file: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Reads `/proc/<pid>/cmdline`, where redis-server shows itself as `redis-server 127.0.0.1:<port> [cluster]`.
 * NOTE: Linux only. Without /proc no process counts as a leftover, and the port-in-use error names the port to free.
 */
async function isRedisNodeProcess(pid: number, port: number): Promise<boolean> {
  try {
    const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
    return commandLine.includes('redis-server') && commandLine.includes(`${LOOPBACK_HOST}:${port}`);
  } catch {
    return false;
  }
}

/**
 * Reports whether `pid` is a running process. A zombie (state `Z` in `/proc/<pid>/stat`) counts as gone:
 * it has exited, and only its parent can reap it, which for a leftover node is init.
 */
export async function isProcessAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM means the pid exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The state follows the parenthesised command name, which may itself contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    // No /proc (macOS), or the process exited just now, so the signal check above decides.
    return true;
  }
}

async function waitForProcessExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isProcessAlive(pid)) {
    if (Date.now() >= deadline) {
      return false;
    }
    await delay(50);
  }
  return true;
}

/**
 * Writes the node's config and spawns `redis-server` as a child process. By default a previous
 * run's `nodes.conf` and log are removed first because `redis-cli --cluster create` rejects nodes
 * that are already part of a cluster. With `rejoin`, both stay, so a node restarted after a crash
 * rejoins its cluster from `nodes.conf`. Throws {@link LocalStackError} when the process cannot be spawned.
 */
export async function spawnRedisNode(port: number, directory: string, options: { rejoin?: boolean } = {}): Promise<RedisNodeProcess> {
  await mkdir(directory, { recursive: true });
  if (!options.rejoin) {
    await Promise.all(['nodes.conf', 'redis.log'].map((name) => rm(join(directory, name), { force: true })));
  }
  const configFile = join(directory, 'redis.conf');
  await writeFile(configFile, renderNodeConfig(port, directory));

  const child = spawn('redis-server', [configFile], { env: process.env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  // 'close' fires after 'exit' once stderr is drained, so the outcome carries the whole message.
  const exited = new Promise<number | string>((resolve) => {
    child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(new LocalStackError(`cannot start redis-server for port ${port}: ${error.message}`, { operation: OPERATION, cause: error })),
    );
  });
  trackChild(child);

  const pid = child.pid as number;
  let stopping: Promise<void> | undefined;
  return {
    port,
    pid,
    directory,
    exited: exited.then((outcome) => {
      if (stderr.trim() !== '') {
        return `${outcome} (${stderr.trim()})`;
      }
      return outcome;
    }),
    stop() {
      stopping ??= stopChild(child, exited, STOP_GRACE_MS);
      return stopping;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * Children still running when this Node.js process exits (normally, through `process.exit` or after an uncaught
 * exception) get SIGKILL. A process killed by a signal runs no `exit` listener, which is why a later start
 * looks for leftovers.
 */
const runningChildren = new Set<ChildProcess>();

function killRunningChildren(): void {
  for (const child of runningChildren) {
    child.kill('SIGKILL');
  }
}

function trackChild(child: ChildProcess): void {
  if (runningChildren.size === 0) {
    process.on('exit', killRunningChildren);
  }
  runningChildren.add(child);
  child.once('exit', () => {
    runningChildren.delete(child);
    if (runningChildren.size === 0) {
      process.off('exit', killRunningChildren);
    }
  });
}
