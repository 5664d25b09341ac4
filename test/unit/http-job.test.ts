import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PermanentJobError, RetryableJobError } from '../../lib/errors';
import { httpJobType, httpPayloadSchema } from '../../lib/jobs/types/http';
import { logger } from '../../lib/observability/logger';

let server: Server;
let baseUrl: string;
const received: { method: string; url: string; contentType: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ method: request.method ?? '', url: request.url ?? '', contentType: request.headers['content-type'], body });
      const status = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
      if (request.url?.startsWith('/slow')) {
        setTimeout(() => response.end('late'), 2_000);
        return;
      }
      if (status === 429) {
        response.setHeader('retry-after', '7');
      }
      response.statusCode = status;
      response.end(`status ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function run(payload: unknown) {
  const parsed = httpPayloadSchema.parse(payload);
  return httpJobType.handler(parsed, { jobId: 'job-1', queue: 'webhooks', attempt: 1, logger, signal: new AbortController().signal });
}

describe('http job type', () => {
  it('completes on 2xx and sends objects as JSON', async () => {
    await expect(run({ url: `${baseUrl}/hook?status=201`, body: { order: 42 } })).resolves.toEqual({ status: 201, body: 'status 201' });
    const last = received.at(-1);
    expect(last).toMatchObject({ method: 'POST', contentType: 'application/json', body: '{"order":42}' });
  });

  it.each([408, 429, 500, 503])('retries HTTP %i', async (status) => {
    await expect(run({ url: `${baseUrl}/hook?status=${status}` })).rejects.toThrow(RetryableJobError);
  });

  it('passes Retry-After on to the retry', async () => {
    await expect(run({ url: `${baseUrl}/hook?status=429` })).rejects.toMatchObject({ retryAfterMs: 7_000 });
  });

  it.each([400, 404, 410])('fails permanently on HTTP %i', async (status) => {
    await expect(run({ url: `${baseUrl}/hook?status=${status}` })).rejects.toThrow(PermanentJobError);
  });

  it('retries a timeout', async () => {
    await expect(run({ url: `${baseUrl}/slow`, timeoutMs: 100 })).rejects.toThrow('timed out after 100 ms');
  });

  it('retries a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(run({ url: `http://127.0.0.1:${port}/` })).rejects.toThrow('failed to connect');
  });
});

describe('http payload schema', () => {
  it.each([
    [{ url: 'ftp://example.test/x' }, 'url'],
    [{ url: 'http://169.254.169.254/latest/meta-data' }, 'link-local'],
    [{ url: 'not a url' }, 'url'],
    [{ url: 'http://127.0.0.1/', method: 'FETCH' }, 'method'],
    [{ url: 'http://127.0.0.1/', timeoutMs: 0 }, 'timeoutMs'],
    [{ url: 'http://127.0.0.1/', extra: 1 }, 'extra'],
    [{ method: 'POST' }, 'is required: the webhook URL'],
  ])('rejects %j', (payload, expected) => {
    const parsed = httpPayloadSchema.safeParse(payload);
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain(expected);
  });
});
