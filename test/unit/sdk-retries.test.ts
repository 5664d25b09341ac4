import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { backoffDelayMs, createSluiceClient, DEFAULT_RETRY_OPTIONS, SluiceApiError, SluiceConnectionError, type RetryEvent } from '../../sdk';

interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A loopback HTTP server that responds to the n-th request with `responders[n]` (the last one repeats). */
async function startServer(responders: Array<(request: IncomingMessage, response: ServerResponse) => void>): Promise<{ url: string; requests: RecordedRequest[]; server: Server }> {
  const requests: RecordedRequest[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
      const respond = responders[Math.min(requests.length, responders.length) - 1];
      respond?.(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

const json = (status: number, body: unknown) => (_request: IncomingMessage, response: ServerResponse) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};
const resetConnection = (request: IncomingMessage) => request.socket.destroy();
const accepted = json(202, { id: 'job-1', state: 'queued' });
const fastRetries = { retries: 3, baseDelayMs: 5, maxDelayMs: 20 };

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(...responders: Array<(request: IncomingMessage, response: ServerResponse) => void>) {
  const started = await startServer(responders);
  servers.push(started.server);
  return started;
}

describe('SDK retries', () => {
  it('retries a 503, then returns the 202', async () => {
    const { url, requests } = await serve(json(503, { error: { message: 'unavailable', problems: [] } }), accepted);
    const retries: RetryEvent[] = [];
    const client = createSluiceClient({ url, ...fastRetries, onRetry: (event) => retries.push(event) });

    await expect(client.enqueue('default', 'http', { url: 'http://127.0.0.1:9/hook' })).resolves.toEqual({ id: 'job-1', state: 'queued' });
    expect(requests).toHaveLength(2);
    expect(retries).toEqual([expect.objectContaining({ method: 'POST', attempt: 1, reason: 'HTTP 503' })]);
  });

  it('sends one idempotency key with every attempt', async () => {
    const { url, requests } = await serve(json(500, {}), json(502, {}), accepted);
    await createSluiceClient({ url, ...fastRetries }).enqueue('default', 'http', { url: 'http://127.0.0.1:9/hook' });

    const keys = requests.map((request) => (JSON.parse(request.body) as { idempotencyKey?: string }).idempotencyKey);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^auto-[0-9a-f-]{36}$/);
    expect(new Set(keys).size).toBe(1);
  });

  it('keeps the caller idempotency key', async () => {
    const { url, requests } = await serve(accepted);
    await createSluiceClient({ url }).enqueue('default', 'http', { url: 'http://127.0.0.1:9/hook' }, { idempotencyKey: 'order-42' });
    expect(JSON.parse(requests[0]?.body ?? '{}')).toMatchObject({ idempotencyKey: 'order-42' });
  });

  it('retries a reset connection', async () => {
    const { url, requests } = await serve(resetConnection, resetConnection, accepted);
    const retries: RetryEvent[] = [];
    const client = createSluiceClient({ url, ...fastRetries, onRetry: (event) => retries.push(event) });

    await expect(client.getJob('job-1')).resolves.toEqual({ id: 'job-1', state: 'queued' });
    expect(requests).toHaveLength(3);
    expect(retries.map((event) => event.reason)).toEqual([expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET/), expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET/)]);
  });

  it('does not retry a 400', async () => {
    const { url, requests } = await serve(json(400, { error: { message: 'delaySeconds must not be negative', problems: [{ field: 'delaySeconds', message: 'must not be negative' }] } }), accepted);
    const error = await createSluiceClient({ url, ...fastRetries })
      .enqueue('default', 'http', { url: 'http://127.0.0.1:9/hook' }, { delaySeconds: -1 })
      .catch((caught: unknown) => caught);

    expect(requests).toHaveLength(1);
    expect(error).toBeInstanceOf(SluiceApiError);
    expect(error).toMatchObject({ status: 400, problems: [{ field: 'delaySeconds', message: 'must not be negative' }] });
    expect((error as Error).message).toBe(`POST ${url}/queues/default/jobs returned 400: delaySeconds must not be negative`);
  });

  it('gives up after the last retry', async () => {
    const { url, requests } = await serve(json(503, { error: { message: 'still down', problems: [] } }));
    const error = await createSluiceClient({ url, ...fastRetries }).stats('default').catch((caught: unknown) => caught);
    expect(requests).toHaveLength(4);
    expect(error).toMatchObject({ status: 503, message: expect.stringContaining('still down') });
  });

  it('sends batch entries without keys by default', async () => {
    const batchAccepted = json(202, { jobs: [{ id: 'job-1', state: 'queued' }] });
    const { url, requests } = await serve(json(503, {}), json(503, {}), batchAccepted);
    await expect(createSluiceClient({ url, ...fastRetries }).enqueueBatch('default', [{ type: 'http', payload: { url: 'http://127.0.0.1:9/' } }])).rejects.toMatchObject({ status: 503 });
    expect(requests).toHaveLength(1);
    expect(JSON.parse(requests[0]?.body ?? '{}')).toEqual({ jobs: [{ type: 'http', payload: { url: 'http://127.0.0.1:9/' } }] });

    const results = await createSluiceClient({ url, ...fastRetries, autoIdempotencyKeys: 'all' }).enqueueBatch('default', [{ type: 'http', payload: { url: 'http://127.0.0.1:9/' } }]);
    expect(results).toEqual([{ id: 'job-1', state: 'queued' }]);
    expect(requests).toHaveLength(3);
    const keys = requests.slice(1).map((request) => (JSON.parse(request.body) as { jobs: Array<{ idempotencyKey?: string }> }).jobs[0]?.idempotencyKey);
    expect(keys[0]).toMatch(/^auto-/);
    expect(keys[1]).toBe(keys[0]);
  });

  it('does not resend an unkeyed enqueue after a 5xx', async () => {
    const { url, requests } = await serve(json(500, {}), accepted);
    const client = createSluiceClient({ url, ...fastRetries, autoIdempotencyKeys: 'none' });
    await expect(client.enqueue('default', 'http', { url: 'http://127.0.0.1:9/hook' })).rejects.toMatchObject({ status: 500 });
    expect(requests).toHaveLength(1);
    expect(JSON.parse(requests[0]?.body ?? '{}')).not.toHaveProperty('idempotencyKey');
  });

  it('retries a refused connection and names the code', async () => {
    const { url, server } = await serve(accepted);
    await new Promise((resolve) => server.close(resolve));
    servers.pop();
    const retries: RetryEvent[] = [];
    const client = createSluiceClient({ url, ...fastRetries, autoIdempotencyKeys: 'none', onRetry: (event) => retries.push(event) });

    const error = await client.enqueue('default', 'http', { url: 'http://127.0.0.1:9/hook' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SluiceConnectionError);
    expect(error).toMatchObject({ code: 'ECONNREFUSED', attempts: 4, url: `${url}/queues/default/jobs` });
    expect(retries).toHaveLength(3);
  });

  it('times out a silent server', async () => {
    const { url, requests } = await serve(() => undefined);
    const error = await createSluiceClient({ url, retries: 1, baseDelayMs: 5, timeoutMs: 100 }).getJob('job-1').catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'TIMEOUT', attempts: 2 });
    expect(requests).toHaveLength(2);
  });

  it('honours Retry-After on a 429', async () => {
    const throttled = (_request: IncomingMessage, response: ServerResponse) => {
      response.writeHead(429, { 'retry-after': '0' });
      response.end();
    };
    const { url, requests } = await serve(throttled, accepted);
    const retries: RetryEvent[] = [];
    const client = createSluiceClient({ url, ...fastRetries, autoIdempotencyKeys: 'none', onRetry: (event) => retries.push(event) });
    await client.enqueue('default', 'http', { url: 'http://127.0.0.1:9/hook' });
    expect(requests).toHaveLength(2);
    expect(retries[0]).toMatchObject({ reason: 'HTTP 429', delayMs: 0 });
  });

  it('sends the API key as a bearer token', async () => {
    const { url, requests } = await serve(accepted);
    await createSluiceClient({ url, apiKey: 'sk_test_1' }).getJob('job-1');
    await createSluiceClient({ url }).getJob('job-1');
    expect(requests[0]?.headers.authorization).toBe('Bearer sk_test_1');
    expect(requests[1]?.headers.authorization).toBeUndefined();
  });

  it('rejects a URL that is not http', () => {
    expect(() => createSluiceClient({ url: 'ftp://127.0.0.1' })).toThrow('url "ftp://127.0.0.1" is not an http:// or https:// URL');
  });
});

describe('backoffDelayMs', () => {
  it('doubles the bound per retry up to the cap', () => {
    const options = { ...DEFAULT_RETRY_OPTIONS, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelayMs(retry, options, () => 1))).toEqual([100, 200, 400, 800, 1_000]);
    expect(backoffDelayMs(3, options, () => 0)).toBe(0);
    expect(backoffDelayMs(3, options, () => 0.5)).toBe(200);
  });
});
