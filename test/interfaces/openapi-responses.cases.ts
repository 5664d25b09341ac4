import { randomUUID } from 'node:crypto';
import { createSluiceClient } from '../../sdk';
import { OpenApiValidator, readOpenApiDocument } from '../support/openapi-validator';
import type { TestStack } from '../support/test-stack';
import { waitForJobState } from '../support/wait-for-job';

/** Tests that real API responses match docs/openapi.json. Registers its tests in the calling test file, which starts the stack. */
export function openApiResponseCases(getStack: () => TestStack): void {
  let testStack: TestStack;
  let validator: OpenApiValidator;
  /** `METHOD /template status` of every response checked, to verify the coverage at the end. */
  const checked = new Set<string>();

  beforeAll(() => {
    testStack = getStack();
    validator = new OpenApiValidator(readOpenApiDocument());
  });

  interface Call {
    method: string;
    /** The path template of the document, such as /jobs/{id}. */
    template: string;
    params?: Record<string, string>;
    query?: Record<string, string>;
    body?: unknown;
    /** A raw body sent as is, with this content type. */
    raw?: { contentType: string; text: string };
    /** The API key to send; default the stack's admin key, null for none. */
    apiKey?: string | null;
  }

  /** Sends a request, checks the response's status is `expected`, validates its body against the document, and returns the body. */
  async function check<Body = Record<string, unknown>>(call: Call, expected: number): Promise<Body> {
    let path = call.template;
    for (const [name, value] of Object.entries(call.params ?? {})) {
      path = path.replace(`{${name}}`, encodeURIComponent(value));
    }
    const query = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
    const headers: Record<string, string> = {};
    if (call.apiKey !== null) {
      headers.authorization = `Bearer ${call.apiKey ?? testStack.stack.apiKey}`;
    }
    const init: RequestInit = { method: call.method, headers };
    if (call.raw) {
      headers['content-type'] = call.raw.contentType;
      init.body = call.raw.text;
    } else if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(call.body);
    }
    const response = await fetch(`${testStack.stack.httpEndpoint}${path}${query}`, init);
    const body = (await response.json()) as Body;
    expect({ status: response.status, body }).toEqual({ status: expected, body: expect.anything() });
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(validator.responseProblems(call.method, call.template, response.status, body)).toEqual([]);
    checked.add(`${call.method} ${call.template} ${response.status}`);
    return body;
  }

  const client = () => createSluiceClient({ url: testStack.stack.httpEndpoint, apiKey: testStack.stack.apiKey });
  const job = (path: string, extra: Record<string, unknown> = {}) => ({ type: 'http', payload: { url: `${testStack.receiver.url}${path}` }, ...extra });

  describe('HTTP API responses match docs/openapi.json', () => {
    it('enqueue: 202, 200 for a repeated key, and errors', async () => {
      const template = '/queues/{queue}/jobs';
      const params = { queue: 'default' };
      await check({ method: 'POST', template, params, body: job('/ok/a') }, 202);
      const keyed = job('/ok/b', { idempotencyKey: `k-${randomUUID()}`, delaySeconds: 600 });
      await check({ method: 'POST', template, params, body: keyed }, 202);
      await check({ method: 'POST', template, params, body: keyed }, 200);
      await check({ method: 'POST', template, params, body: job('/ok/c', { delaySeconds: -1 }) }, 400);
      await check({ method: 'POST', template, params: { queue: 'nope' }, body: job('/ok/d') }, 404);
      await check({ method: 'POST', template, params, raw: { contentType: 'application/json', text: JSON.stringify(job('/ok/e', { pad: 'x'.repeat(300_000) })) } }, 413);
      await check({ method: 'POST', template, params, raw: { contentType: 'text/plain', text: 'hello' } }, 415);
      await check({ method: 'POST', template, params, body: { type: 'nope', payload: {} } }, 422);
    });

    it('batch: 202 with results in place, and errors', async () => {
      const template = '/queues/{queue}/jobs/batch';
      const params = { queue: 'default' };
      const result = await check<{ jobs: unknown[] }>({ method: 'POST', template, params, body: { jobs: [job('/ok/f'), { type: 'nope', payload: {} }] } }, 202);
      expect(result.jobs).toHaveLength(2);
      await check({ method: 'POST', template, params, body: { jobs: 'all of them' } }, 400);
      await check({ method: 'POST', template, params: { queue: 'nope' }, body: { jobs: [job('/ok/g')] } }, 404);
      await check({ method: 'POST', template, params, raw: { contentType: 'text/csv', text: 'a,b' } }, 415);
      await check({ method: 'POST', template, params, body: { jobs: [{ type: 'nope', payload: {} }] } }, 422);
    });

    it('job status, cancel, retry and listing, with errors', async () => {
      const sdk = client();
      const completed = await sdk.enqueue('default', 'http', { url: `${testStack.receiver.url}/ok/${randomUUID()}` });
      const dead = await sdk.enqueue('default', 'http', { url: `${testStack.receiver.url}/missing/${randomUUID()}` });
      expect((await waitForJobState(sdk, completed.id, ['completed'])).state).toBe('completed');
      expect((await waitForJobState(sdk, dead.id, ['dead'])).state).toBe('dead');

      // A completed job carries a result; a dead one, a last error.
      await check({ method: 'GET', template: '/jobs/{id}', params: { id: completed.id } }, 200);
      await check({ method: 'GET', template: '/jobs/{id}', params: { id: dead.id } }, 200);
      await check({ method: 'GET', template: '/jobs/{id}', params: { id: 'missing' } }, 404);

      const listing = { method: 'GET', template: '/queues/{queue}/jobs', params: { queue: 'default' } };
      const deadPage = await check<{ jobs: Array<{ id: string }> }>({ ...listing, query: { state: 'dead', limit: '1' } }, 200);
      expect(deadPage.jobs.map((listed) => listed.id)).toEqual([dead.id]);
      await check({ ...listing, query: { updatedAfter: new Date(Date.now() - 60_000).toISOString() } }, 200);
      await check({ ...listing, query: { state: 'active' } }, 400);
      await check({ ...listing, params: { queue: 'nope' }, query: { state: 'dead' } }, 404);

      await check({ method: 'POST', template: '/jobs/{id}/retry', params: { id: dead.id }, body: { maxAttempts: 0 } }, 400);
      await check({ method: 'POST', template: '/jobs/{id}/retry', params: { id: dead.id }, raw: { contentType: 'text/plain', text: 'again' } }, 415);
      await check({ method: 'POST', template: '/jobs/{id}/retry', params: { id: dead.id } }, 202);
      await check({ method: 'POST', template: '/jobs/{id}/retry', params: { id: completed.id } }, 409);
      await check({ method: 'POST', template: '/jobs/{id}/retry', params: { id: 'missing' } }, 404);

      const delayed = await sdk.enqueue('default', 'http', { url: `${testStack.receiver.url}/ok/${randomUUID()}` }, { delaySeconds: 600 });
      await check({ method: 'DELETE', template: '/jobs/{id}', params: { id: delayed.id } }, 200);
      await check({ method: 'DELETE', template: '/jobs/{id}', params: { id: delayed.id } }, 409);
      await check({ method: 'DELETE', template: '/jobs/{id}', params: { id: 'missing' } }, 404);

      await check({ method: 'GET', template: '/queues', apiKey: null }, 401);
      await check({ method: 'GET', template: '/queues', apiKey: 'sluice_unknown_0000000000000000' }, 401);
      await check({ method: 'GET', template: '/queues' }, 200);
      await check({ method: 'GET', template: '/queues/{queue}/stats', params: { queue: 'default' } }, 200);
      await check({ method: 'GET', template: '/queues/{queue}/stats', params: { queue: 'nope' } }, 404);
    });

    it('schedules: create, read, pause, resume, delete, with errors', async () => {
      const id = `oas-${randomUUID().slice(0, 8)}`;
      const schedule = { id, queue: 'default', cron: '0 2 * * *', job: job('/ok/nightly') };
      await check({ method: 'POST', template: '/schedules', body: schedule }, 201);
      await check({ method: 'POST', template: '/schedules', body: schedule }, 409);
      await check({ method: 'POST', template: '/schedules', body: { ...schedule, id: 'Not A Slug' } }, 400);
      await check({ method: 'POST', template: '/schedules', body: { ...schedule, id: `${id}-b`, queue: 'nope' } }, 422);
      await check({ method: 'POST', template: '/schedules', raw: { contentType: 'text/plain', text: 'x' } }, 415);

      const params = { id };
      await check({ method: 'GET', template: '/schedules/{id}', params }, 200);
      await check({ method: 'POST', template: '/schedules/{id}/pause', params }, 200);
      await check({ method: 'POST', template: '/schedules/{id}/resume', params }, 200);
      await check({ method: 'DELETE', template: '/schedules/{id}', params }, 200);
      for (const [method, template] of [['GET', '/schedules/{id}'], ['POST', '/schedules/{id}/pause'], ['POST', '/schedules/{id}/resume'], ['DELETE', '/schedules/{id}']] as const) {
        await check({ method, template, params }, 404);
      }
    });

    it('covers a success and an error of every operation', () => {
      const document = readOpenApiDocument();
      for (const [template, operations] of Object.entries(document.paths)) {
        // The dashboard's routes serve static HTML, script and styles; the dashboard tests cover them.
        if (template.startsWith('/dashboard')) {
          continue;
        }
        for (const method of Object.keys(operations)) {
          const statuses = [...checked].filter((entry) => entry.startsWith(`${method.toUpperCase()} ${template} `)).map((entry) => Number(entry.split(' ')[2]));
          expect({ operation: `${method.toUpperCase()} ${template}`, success: statuses.some((status) => status < 300) }).toEqual({ operation: expect.any(String), success: true });
          expect({ operation: `${method.toUpperCase()} ${template}`, error: statuses.some((status) => status >= 400) }).toEqual({ operation: expect.any(String), error: true });
        }
      }
    });
  });
}
