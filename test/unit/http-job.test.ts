import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PermanentJobError, RetryableJobError } from '../../lib/errors';
import { httpJobType, httpPayloadSchema } from '../../lib/jobs/types/http';
import { logger } from '../../lib/observability/logger';
import { parseAllowList } from '../../lib/jobs/types/webhook-guard';
import { MAX_REDIRECTS, sendWebhook } from '../../lib/jobs/types/webhook-request';

let server: Server;
let baseUrl: string;
const received: { method: string; url: string; host: string | undefined; authorization: string | undefined; contentType: string | undefined; body: string }[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        host: request.headers.host,
        authorization: request.headers.authorization,
        contentType: request.headers['content-type'],
        body,
      });
      const redirect = new URL(request.url ?? '/', 'http://x').searchParams.get('redirect');
      if (redirect !== null) {
        response.statusCode = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('code') ?? 302);
        response.setHeader('location', redirect);
        response.end();
        return;
      }
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

describe('webhook delivery guard', () => {
  const allowLoopback = parseAllowList('127.0.0.1/32');

  function deliver(url: string, resolve?: (host: string) => Promise<{ address: string; family: number }[]>) {
    return sendWebhook({
      url,
      method: 'POST',
      headers: { authorization: 'Bearer secret', 'content-type': 'text/plain' },
      body: 'hello',
      signal: new AbortController().signal,
      allow: allowLoopback,
      maxBodyChars: 100,
      ...(resolve ? { resolve } : {}),
    });
  }

  it('connects to the address the guard checked, keeping the host name', async () => {
    const port = new URL(baseUrl).port;
    const asked: string[] = [];
    const response = await deliver(`http://hooks.test:${port}/pinned`, async (host) => {
      asked.push(host);
      return [{ address: '127.0.0.1', family: 4 }];
    });
    expect(response.status).toBe(200);
    expect(asked).toEqual(['hooks.test']);
    expect(received.at(-1)).toMatchObject({ url: '/pinned', host: `hooks.test:${port}` });
  });

  it('follows a redirect and checks its target', async () => {
    const response = await deliver(`${baseUrl}/start?redirect=${encodeURIComponent('/landed')}&code=307`);
    expect(response.status).toBe(200);
    expect(received.at(-1)).toMatchObject({ method: 'POST', url: '/landed', body: 'hello', authorization: 'Bearer secret' });
  });

  it('continues a 303 as GET without a body', async () => {
    await deliver(`${baseUrl}/start?redirect=${encodeURIComponent('/after')}&code=303`);
    expect(received.at(-1)).toMatchObject({ method: 'GET', url: '/after', body: '' });
  });

  it('refuses a redirect to the metadata address without connecting to it', async () => {
    const before = received.length;
    await expect(deliver(`${baseUrl}/start?redirect=${encodeURIComponent('http://169.254.169.254/latest/meta-data')}`)).rejects.toThrow(
      '169.254.169.254 is a cloud metadata address',
    );
    expect(received.length).toBe(before + 1);
  });

  it('refuses a redirect to a host name resolving to a private address', async () => {
    const resolve = async (host: string) => (host === 'internal.test' ? [{ address: '10.0.0.7', family: 4 }] : [{ address: '127.0.0.1', family: 4 }]);
    await expect(deliver(`${baseUrl}/start?redirect=${encodeURIComponent('http://internal.test/admin')}`, resolve)).rejects.toThrow(
      'internal.test resolves to 10.0.0.7 is in the private range',
    );
  });

  it('drops credentials on a redirect to another origin', async () => {
    const otherOrigin = `http://hooks.test:${new URL(baseUrl).port}/elsewhere`;
    await deliver(`${baseUrl}/start?redirect=${encodeURIComponent(otherOrigin)}&code=307`, async () => [{ address: '127.0.0.1', family: 4 }]);
    expect(received.at(-1)).toMatchObject({ url: '/elsewhere', authorization: undefined });
  });

  it('stops after the redirect limit', async () => {
    // A chain of MAX_REDIRECTS + 1 redirects: each hop's URL carries the next one.
    let url = `${baseUrl}/end`;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop += 1) {
      url = `${baseUrl}/hop${hop}?redirect=${encodeURIComponent(url)}`;
    }
    await expect(deliver(url)).rejects.toThrow(`redirected more than ${MAX_REDIRECTS} times`);
  });

  it('fails a job refused by the guard permanently, naming only the origin', async () => {
    const error = await run({ url: `${baseUrl}/start?token=s3cr3t&redirect=${encodeURIComponent('http://10.1.1.1/x')}` }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentJobError);
    expect((error as Error).message).toContain('10.1.1.1 is in the private range');
    expect((error as Error).message).not.toContain('s3cr3t');
  });
});

