import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { createSluiceClient, SluiceApiError, type AnyJobTypes, type SluiceClient, type BuiltInJobTypes } from '../../sdk';
import type { TestStack } from '../support/test-stack';
import { waitForJobState } from '../support/wait-for-job';

/** Tests of the SDK against the local stack. Registers its tests in the calling test file, which starts the stack. */
export function sdkCases(getStack: () => TestStack): void {
  let testStack: TestStack;
  let client: SluiceClient<BuiltInJobTypes>;
  let untyped: SluiceClient<AnyJobTypes>;
  let receiverUrl: string;

  beforeAll(() => {
    testStack = getStack();
    client = createSluiceClient({ url: testStack.stack.httpEndpoint, apiKey: testStack.stack.apiKey, retries: 1, baseDelayMs: 50 });
    untyped = createSluiceClient<AnyJobTypes>({ url: testStack.stack.httpEndpoint, apiKey: testStack.stack.apiKey, retries: 0 });
    receiverUrl = testStack.receiver.url;
  });

  describe('SDK against the local stack', () => {
    it('enqueues a typed http job and reads it back', async () => {
      const key = `sdk-ok-${randomUUID()}`;
      const enqueued = await client.enqueue('default', 'http', { url: `${receiverUrl}/ok/${key}`, body: { order: 42 } }, { priority: 3, maxAttempts: 2 });
      expect(enqueued).toEqual({ id: expect.any(String), state: 'queued' });

      const job = await waitForJobState(client, enqueued.id, ['completed', 'dead']);
      expect(job).toMatchObject({ id: enqueued.id, queue: 'default', type: 'http', state: 'completed', priority: 3, maxAttempts: 2 });
      expect(testStack.receiver.deliveries(key)).toEqual([200]);
    });

    it('returns the first job for a repeated idempotency key', async () => {
      const payload = { url: `${receiverUrl}/ok/${randomUUID()}` };
      const idempotencyKey = `order-${randomUUID()}`;
      const first = await client.enqueue('default', 'http', payload, { idempotencyKey, delaySeconds: 600 });
      const second = await client.enqueue('default', 'http', payload, { idempotencyKey, delaySeconds: 600 });
      expect(first.state).toBe('delayed');
      expect(second).toEqual({ id: first.id, state: 'delayed', existing: true });
    });

    it('throws the API error for an invalid payload', async () => {
      const error = await untyped.enqueue('default', 'http', { url: 'not a url' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SluiceApiError);
      expect(error).toMatchObject({ status: 422, problems: [expect.objectContaining({ field: 'payload.url' })] });
    });

    it('splits a batch into chunks of 100, results in order', async () => {
      const before = (await client.stats('default')).total;
      const jobs = Array.from({ length: 150 }, (_, index) => ({ type: 'http' as const, payload: { url: `${receiverUrl}/ok/batch-${index}` }, delaySeconds: 600 }));
      jobs[120] = { type: 'http', payload: { url: 'ftp://127.0.0.1/' }, delaySeconds: 600 };

      const results = await client.enqueueBatch('default', jobs);
      expect(results).toHaveLength(150);
      expect(results[120]).toEqual({ error: expect.objectContaining({ problems: [expect.objectContaining({ field: 'jobs.120.payload.url' })] }) });
      const accepted = results.filter((result) => 'id' in result);
      expect(accepted).toHaveLength(149);
      expect(new Set(accepted.map((result) => ('id' in result ? result.id : ''))).size).toBe(149);
      expect((await client.stats('default')).total).toBe(before + 149);
    });

    it('reports each entry of a chunk with no valid job', async () => {
      const jobs = Array.from({ length: 101 }, (_, index) => ({ type: 'http' as const, payload: { url: `${receiverUrl}/ok/chunk-${index}` }, delaySeconds: 600 }));
      jobs[100] = { type: 'http', payload: { url: 'mailto:someone' }, delaySeconds: 600 };

      const results = await client.enqueueBatch('default', jobs);
      expect(results).toHaveLength(101);
      expect(results.slice(0, 100).every((result) => 'id' in result)).toBe(true);
      expect(results[100]).toEqual({ error: { message: expect.stringContaining('jobs.100.payload.url'), problems: [expect.objectContaining({ field: 'jobs.100.payload.url' })] } });
    });

    it('cancels a delayed job, and again without error', async () => {
      const { id } = await client.enqueue('default', 'http', { url: `${receiverUrl}/ok/${randomUUID()}` }, { delaySeconds: 600 });
      expect((await client.cancel(id)).state).toBe('cancelled');
      expect((await client.cancel(id)).state).toBe('cancelled');
    });

    it('retries a dead job and rejects retrying a live one', async () => {
      const key = `sdk-missing-${randomUUID()}`;
      const { id } = await client.enqueue('default', 'http', { url: `${receiverUrl}/missing/${key}` });
      expect((await waitForJobState(client, id, ['dead'])).state).toBe('dead');

      const retried = await client.retry(id, { maxAttempts: 1 });
      expect(retried).toMatchObject({ id, state: 'queued', maxAttempts: 2 });
      expect((await waitForJobState(client, id, ['dead'])).attempts).toBe(2);

      const { id: delayedId } = await client.enqueue('default', 'http', { url: `${receiverUrl}/ok/${randomUUID()}` }, { delaySeconds: 600 });
      await expect(client.retry(delayedId)).rejects.toMatchObject({ status: 409 });
    });

    it('lists jobs updated after a time', async () => {
      const since = new Date(Date.now() - 1000);
      const { id } = await client.enqueue('webhooks', 'http', { url: `${receiverUrl}/ok/${randomUUID()}` }, { delaySeconds: 600 });
      const page = await client.listJobs('webhooks', { updatedAfter: since });
      expect(page.jobs.map((job) => job.id)).toContain(id);
      await expect(client.listJobs('webhooks', {})).rejects.toMatchObject({ status: 400, problems: [expect.objectContaining({ field: 'state' })] });
    });

    it('throws 404 for an unknown job', async () => {
      await expect(client.getJob(`missing-${randomUUID()}`)).rejects.toMatchObject({ status: 404, message: expect.stringContaining('not found') });
    });
  });

  describe('examples/typed-producer.ts', () => {
    it('runs to completion against the stack', async () => {
      const root = resolve(__dirname, '..', '..');
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', resolve(root, 'examples', 'typed-producer.ts')], {
        cwd: root,
        env: { ...process.env, SLUICE_URL: testStack.stack.httpEndpoint, SLUICE_API_KEY: testStack.stack.apiKey },
      });
      expect(stdout).toContain('rejected as expected: 422 payload.url');
      expect(stdout.match(/ completed after 1 attempt\(s\)/g)).toHaveLength(3);
      expect(stdout).toMatch(/receiver got: .*PUT \/orders\/43/);
    });
  });
}
