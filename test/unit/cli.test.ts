import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createProgram, run } from '../../cli/program';
import { ExitCode } from '../../cli/options';

/** Runs the CLI in process and returns its exit status and what it wrote. */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await run(['node', 'sluice', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

let server: Server;
let url: string;
let requests = 0;
let lastBody = '';

beforeAll(async () => {
  server = createServer((request, response) => {
    requests += 1;
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      lastBody = body;
      response.writeHead(202, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'job-1', state: 'queued' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = 0;
});

describe('sluice CLI', () => {
  it.each(['enqueue', 'status', 'stats', 'retry', 'cancel', 'tail'])('prints help for %s', async (name) => {
    const result = await runCli([name, '--help']);
    expect(result.code).toBe(ExitCode.ok);
    expect(result.stdout).toContain(`Usage: sluice ${name}`);
    const command = createProgram().commands.find((candidate) => candidate.name() === name);
    expect(command?.description()).not.toBe('');
  });

  it.each([
    [['enqueue', 'default', 'http', '--delay', 'abc'], "option '--delay <seconds>' argument 'abc' is invalid. Use a whole number of seconds from 0 to 2592000."],
    [['enqueue', 'default', 'http', '--delay', '-5'], "argument '-5' is invalid"],
    [['enqueue', 'default', 'http', '--priority', '12'], "option '--priority <0-9>' argument '12' is invalid. Use a whole number from 0 to 9."],
    [['enqueue', 'default', 'http', '--max-attempts', '0'], "option '--max-attempts <count>' argument '0' is invalid"],
    [['enqueue', 'default', 'http', '--run-at', 'tomorrow'], "option '--run-at <time>' argument 'tomorrow' is invalid. It must be an ISO 8601 timestamp"],
    [['enqueue', 'default', 'http', '--idempotency-key', 'has space'], "option '--idempotency-key <key>' argument 'has space' is invalid"],
    [['enqueue', 'default', 'http', '--delay', '5', '--run-at', '2030-01-01T00:00:00Z'], "option '--delay <seconds>' cannot be used with option '--run-at <time>'"],
    [['enqueue', 'default', 'http', '{not json'], 'the payload argument is not valid JSON'],
    [['enqueue', 'default', 'http', '--payload-file', '/nonexistent/payload.json'], '--payload-file /nonexistent/payload.json could not be read'],
    [['enqueue', 'default'], "missing required argument 'type'"],
    [['tail', 'default', '--interval', '0'], "option '--interval <seconds>' argument '0' is invalid"],
    [['tail', 'default', '--since', 'yesterday'], "option '--since <time>' argument 'yesterday' is invalid"],
    [['tail', 'default', '--state', 'waiting'], "option '--state <state>' argument 'waiting' is invalid. Use one of queued, delayed"],
    [['--retries', 'many', 'stats', 'default'], "option '--retries <count>' argument 'many' is invalid"],
    [['frobnicate'], "unknown command 'frobnicate'"],
  ])('exits 2 and sends nothing for %j', async (args, message) => {
    const result = await runCli(['--url', url, ...args]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain(message);
    expect(requests).toBe(0);
  });

  it('exits 2 for a URL that is not http', async () => {
    const result = await runCli(['--url', 'ftp://127.0.0.1', 'stats', 'default']);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toContain("option '--url <url>' argument 'ftp://127.0.0.1' is invalid");
  });

  it('sends the API key from the environment', async () => {
    let authorization: string | undefined;
    server.once('request', (request) => {
      authorization = request.headers.authorization;
    });
    process.env.SLUICE_API_KEY = 'sk_env';
    try {
      const result = await runCli(['--url', url, 'enqueue', 'default', 'http', '{"url":"http://127.0.0.1:9/"}']);
      expect(result).toMatchObject({ code: ExitCode.ok, stdout: 'job-1 queued\n' });
    } finally {
      delete process.env.SLUICE_API_KEY;
    }
    expect(authorization).toBe('Bearer sk_env');
  });

  it('sends the payload file and the flags as one job request', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
    const file = join(directory, 'payload.json');
    writeFileSync(file, JSON.stringify({ url: 'http://127.0.0.1:9/hook', body: { order: 42 } }));
    try {
      const result = await runCli(['--url', url, '--json', 'enqueue', 'webhooks', 'http', '--payload-file', file, '--run-at', '2030-01-01T09:00:00Z', '--priority', '7', '--max-attempts', '3', '--idempotency-key', 'order-42']);
      expect(result).toMatchObject({ code: ExitCode.ok, stdout: '{"id":"job-1","state":"queued"}\n' });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    expect(JSON.parse(lastBody)).toEqual({
      type: 'http',
      payload: { url: 'http://127.0.0.1:9/hook', body: { order: 42 } },
      runAt: '2030-01-01T09:00:00Z',
      priority: 7,
      maxAttempts: 3,
      idempotencyKey: 'order-42',
    });
  });
});
