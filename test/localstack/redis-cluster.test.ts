import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis, { Cluster } from 'ioredis';
import { ConfigError } from '../../lib/errors';
import { LocalStackError } from '../../localstack/errors';
import { isPortFree } from '../../localstack/ports';
import { parseInfo } from '../../localstack/redis-cluster-health';
import { startRedisCluster, type RunningRedisCluster } from '../../localstack/redis-cluster';
import { nodeDirectory, renderNodeConfig } from '../../localstack/redis-node';

/** Ports set aside for these tests; other suites use 7000-7005 and 7100-7105. */
const BASE_PORT = 7300;
const PORTS = [7300, 7301, 7302, 7303, 7304, 7305];
const START_TIMEOUT_MS = 90_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withDirectory<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-redis-cluster-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('startRedisCluster', () => {
  let dir: string;
  let cluster: RunningRedisCluster;
  const progress: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-redis-cluster-'));
    cluster = await startRedisCluster({ basePort: BASE_PORT, dir, onProgress: (line) => progress.push(line) });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('returns six loopback nodes', () => {
    expect(cluster.nodes).toEqual(PORTS.map((port) => ({ host: '127.0.0.1', port })));
    expect(cluster.pids).toHaveLength(6);
  });

  it('reports cluster_state:ok on every node', async () => {
    for (const port of PORTS) {
      const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
      try {
        const info = parseInfo(String(await client.call('CLUSTER', 'INFO')));
        expect({ port, state: info.get('cluster_state') }).toEqual({ port, state: 'ok' });
        expect({ port, knownNodes: info.get('cluster_known_nodes') }).toEqual({ port, knownNodes: '6' });
      } finally {
        client.disconnect();
      }
    }
  });

  it('gives every master one online replica', async () => {
    const roles: string[] = [];
    for (const port of PORTS) {
      const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true });
      try {
        const replication = parseInfo(await client.info('replication'));
        roles.push(replication.get('role') ?? '');
        if (replication.get('role') === 'master') {
          expect({ port, replicas: replication.get('connected_slaves') }).toEqual({ port, replicas: '1' });
          expect(replication.get('slave0')).toContain('state=online');
        } else {
          expect({ port, link: replication.get('master_link_status') }).toEqual({ port, link: 'up' });
        }
      } finally {
        client.disconnect();
      }
    }
    expect(roles.filter((role) => role === 'master')).toHaveLength(3);
  });

  it('stores keys on every master through ioredis Cluster', async () => {
    const client = new Cluster(cluster.nodes);
    const seed = new Redis({ host: '127.0.0.1', port: BASE_PORT, lazyConnect: true });
    try {
      // CLUSTER SLOTS rows are [first slot, last slot, [master host, master port, ...], ...replicas].
      const slotRanges = (await seed.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      const ownerOf = (slot: number) => slotRanges.find(([first, last]) => slot >= first && slot <= last)?.[2][1];
      const keys = Array.from({ length: 12 }, (_, index) => `redis-cluster-test:${Date.now()}:${index}`);
      const owners = new Set<number | undefined>();

      for (const key of keys) {
        await client.set(key, `value of ${key}`, 'EX', 60);
      }
      for (const key of keys) {
        expect(await client.get(key)).toBe(`value of ${key}`);
        const slot = Number(await seed.call('CLUSTER', 'KEYSLOT', key));
        const owner = ownerOf(slot);
        owners.add(owner);
        // The key lives on the master that owns its slot, not on the seed node.
        const direct = new Redis({ host: '127.0.0.1', port: owner ?? 0, lazyConnect: true });
        try {
          expect(await direct.get(key)).toBe(`value of ${key}`);
        } finally {
          direct.disconnect();
        }
      }
      expect(owners.size).toBe(3);
      await client.del(...keys.slice(0, 1));
    } finally {
      client.disconnect();
      seed.disconnect();
    }
  });

  it('reports each startup step', () => {
    expect(progress[0]).toContain(`starting 6 redis-server nodes on 127.0.0.1:7300-7305`);
    expect(progress.some((line) => line.startsWith('redis-cli: >>> Performing hash slots allocation'))).toBe(true);
    expect(progress.at(-1)).toMatch(/^Redis Cluster ready on 127\.0\.0\.1:7300-7305 \(\d+\.\d s\)$/);
  });

  it('fails over a killed master and rejoins it as a replica', async () => {
    const roleOf = async (port: number): Promise<string> => {
      const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
      try {
        return parseInfo(await client.info('replication')).get('role') ?? '';
      } finally {
        client.disconnect();
      }
    };
    const masterPort = (await Promise.all(PORTS.map(async (port) => ((await roleOf(port)) === 'master' ? port : undefined)))).find(
      (port) => port !== undefined,
    ) as number;
    const pidBefore = cluster.pids[PORTS.indexOf(masterPort)] as number;

    await cluster.killNode(masterPort);
    expect(isAlive(pidBefore)).toBe(false);
    // The cluster-node-timeout is 5 s; the replica of the killed master takes over after it.
    const others = PORTS.filter((port) => port !== masterPort);
    const deadline = Date.now() + 30_000;
    let masters = 0;
    while (masters < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      masters = (await Promise.all(others.map(roleOf))).filter((role) => role === 'master').length;
    }
    expect(masters).toBe(3);

    await cluster.restartNode(masterPort);
    expect(await roleOf(masterPort)).toBe('slave');
    expect(cluster.pids[PORTS.indexOf(masterPort)]).not.toBe(pidBefore);
    expect(isAlive(cluster.pids[PORTS.indexOf(masterPort)] as number)).toBe(true);
  }, 90_000);

  it('stops every node it started', async () => {
    expect(cluster.pids.every(isAlive)).toBe(true);

    await cluster.stop();

    for (const pid of cluster.pids) {
      expect({ pid, alive: isAlive(pid) }).toEqual({ pid, alive: false });
    }
    for (const port of PORTS) {
      expect({ port, free: await isPortFree(port) }).toEqual({ port, free: true });
    }
    await expect(cluster.stop()).resolves.toBeUndefined();
  });
});

describe('startRedisCluster startup checks', () => {
  let blocker: Server | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
  });

  it('names a node port that is in use', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(7302, '127.0.0.1', resolve));

    await withDirectory(async (dir) => {
      const start = startRedisCluster({ basePort: BASE_PORT, dir });
      await expect(start).rejects.toThrow(LocalStackError);
      await expect(start).rejects.toThrow(/^port 7302 on 127\.0\.0\.1 is in use.*choose another base port$/);
    });
    expect(await isPortFree(7300)).toBe(true);
  });

  it('names a bus port that is in use', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(17304, '127.0.0.1', resolve));

    await withDirectory(async (dir) => {
      await expect(startRedisCluster({ basePort: BASE_PORT, dir })).rejects.toThrow(/^port 17304 on 127\.0\.0\.1 is in use/);
    });
  });

  it('rejects a range that includes port 6379', async () => {
    await withDirectory(async (dir) => {
      const start = startRedisCluster({ basePort: 6376, dir });
      await expect(start).rejects.toThrow(ConfigError);
      await expect(start).rejects.toThrow(/basePort 6376 puts a cluster node on port 6379/);
    });
  });

  it('rejects a base port out of range', async () => {
    await withDirectory(async (dir) => {
      await expect(startRedisCluster({ basePort: 60_000, dir })).rejects.toThrow(/basePort 60000 is invalid; use an integer from 1024 to 55530/);
      await expect(startRedisCluster({ basePort: 7000.5, dir })).rejects.toThrow(ConfigError);
    });
  });

  it('explains how to install a missing redis-server', async () => {
    const path = process.env.PATH;
    await withDirectory(async (dir) => {
      process.env.PATH = dir;
      const start = startRedisCluster({ basePort: BASE_PORT, dir });
      try {
        await expect(start).rejects.toThrow(LocalStackError);
        await expect(start).rejects.toThrow(
          /^redis-server is not installed or not on PATH; install it with `sudo apt-get install redis-server`/,
        );
      } finally {
        process.env.PATH = path;
        await start.then((cluster) => cluster.stop(), () => undefined);
      }
    });
  });

  it(
    'stops a node left running by an earlier run',
    async () => {
      await withDirectory(async (dir) => {
        const leftoverDirectory = nodeDirectory(dir, BASE_PORT);
        await mkdir(leftoverDirectory, { recursive: true });
        await writeFile(join(leftoverDirectory, 'redis.conf'), renderNodeConfig(BASE_PORT, leftoverDirectory));
        const leftover = spawn('redis-server', [join(leftoverDirectory, 'redis.conf')], { stdio: 'ignore' });
        const leftoverExit = new Promise((resolve) => leftover.once('exit', resolve));
        const leftoverPid = leftover.pid as number;
        const probe = new Redis({ host: '127.0.0.1', port: BASE_PORT, lazyConnect: true, retryStrategy: () => 50 });
        expect(await probe.ping()).toBe('PONG');
        probe.disconnect();

        const progress: string[] = [];
        const cluster = await startRedisCluster({ basePort: BASE_PORT, dir, onProgress: (line) => progress.push(line) });
        try {
          await leftoverExit;
          expect(progress).toContain(`stopped redis-server pid ${leftoverPid} left on port ${BASE_PORT} by an earlier run`);
          expect(cluster.pids).not.toContain(leftoverPid);
        } finally {
          await cluster.stop();
        }
        expect(cluster.pids.filter(isAlive)).toEqual([]);
      });
    },
    START_TIMEOUT_MS,
  );
});
