import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { ConfigError } from '../../lib/errors';
import { startMongoWireServer, type MongoWireServerOptions } from '../../localstack/mongo-wire';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'localstack/mongo-wire/cli.ts');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

describe('startMongoWireServer options', () => {
  it.each<[string, MongoWireServerOptions, string]>([
    ['a non-loopback host', { host: '0.0.0.0' }, "option 'host': \"0.0.0.0\" is not a loopback address"],
    ['a port out of range', { port: 70_000 }, "option 'port': 70000 is not a TCP port"],
    ['a fractional TTL interval', { ttlIntervalMs: 1.5 }, "option 'ttlIntervalMs': 1.5 is out of range"],
    ['a tiny TTL interval', { ttlIntervalMs: 1 }, "option 'ttlIntervalMs': 1 is out of range"],
    ['a non-boolean recordCommands', { recordCommands: 'yes' } as unknown as MongoWireServerOptions, "option 'recordCommands': \"yes\" is not a boolean"],
    ['an unknown option', { verbose: true } as MongoWireServerOptions, "option 'verbose': unknown option; valid options are host, port"],
  ])('rejects %s', async (_case, options, message) => {
    const error = await startMongoWireServer(options).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(message);
  });

  it('records commands only when asked', async () => {
    const recording = await startMongoWireServer({ recordCommands: true });
    const silent = await startMongoWireServer();
    const clients = [recording, silent].map((server) => new MongoClient(server.uri, { serverSelectionTimeoutMS: 5_000 }));
    try {
      for (const client of clients) await client.db('recorded').collection('jobs').insertOne({ _id: 'a' } as never);
      expect(recording.commands()).toContainEqual({ name: 'insert', database: 'recorded', command: expect.objectContaining({ insert: 'jobs' }) });
      expect(silent.commands()).toEqual([]);
    } finally {
      for (const client of clients) await client.close();
      await recording.close();
      await silent.close();
    }
  });

  it('returns a uri the driver connects to', async () => {
    const server = await startMongoWireServer();
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 5_000 });
    try {
      expect(server.uri).toBe(`mongodb://127.0.0.1:${server.port}/?directConnection=true`);
      expect(server.port).toBeGreaterThan(0);
      await expect(client.db('admin').command({ ping: 1 })).resolves.toEqual({ ok: 1 });
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('closes open client connections on close', async () => {
    const server = await startMongoWireServer();
    const client = new MongoClient(server.uri, { serverSelectionTimeoutMS: 500 });
    try {
      await client.connect();
      await server.close();
      await expect(client.db('admin').command({ ping: 1 })).rejects.toThrow();
    } finally {
      await client.close();
    }
  });
});

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; when `readyThen` is given, calls it with the first stdout line and lets it stop the process. */
function runCli(args: string[], readyThen?: (line: string, child: ReturnType<typeof spawn>) => void): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let notified = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (readyThen !== undefined && !notified && stdout.includes('\n')) {
        notified = true;
        readyThen(stdout.split('\n')[0]!, child);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

describe('mongo wire server CLI', () => {
  it('prints a ready line and stops on SIGTERM', async () => {
    const port = await freePort();
    let pinged: unknown;
    const run = await runCli(['--port', String(port), '--mongos'], (line, child) => {
      const client = new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, { serverSelectionTimeoutMS: 5_000 });
      void client
        .db('admin')
        .command({ hello: 1 })
        .then((hello) => {
          pinged = { line, msg: hello.msg };
        })
        .finally(() => client.close().then(() => child.kill('SIGTERM')));
    });

    expect(pinged).toEqual({ line: `MongoDB wire test server ready (mongos) at mongodb://127.0.0.1:${port}/?directConnection=true`, msg: 'isdbgrid' });
    expect(run.stdout).toContain('SIGTERM received, stopping');
    expect(run.code).toBe(0);
  });

  it('rejects an unknown flag naming it and the valid flags', async () => {
    const run = await runCli(['--prot', '27027']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown flag '--prot'; valid flags are --port, --host, --mongos, --ttl-interval-ms and --help");
  });

  it('rejects a bad port value with an example', async () => {
    const run = await runCli(['--port', 'abc']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--port needs a non-negative integer, got 'abc'; for example --port 27027");
  });

  it('reports a taken port with the fix', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as AddressInfo;
    try {
      const run = await runCli(['--port', String(port)]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`another process uses port ${port}: pick another with --port`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('rejects a non-loopback host through the server options', async () => {
    const run = await runCli(['--host', '10.0.0.1', '--port', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("option 'host': \"10.0.0.1\" is not a loopback address");
  });
});
