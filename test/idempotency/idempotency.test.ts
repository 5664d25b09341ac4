import '../support/function-environment';
import { randomUUID } from 'node:crypto';
import * as enqueueApi from '../../functions/enqueue';
import { getServices, type Services } from '../../lib/clients';
import { claimIdempotencyKey, idempotencyCollection } from '../../lib/idempotency/idempotency-store';
import { hashRequest } from '../../lib/idempotency/request-hash';
import { findJob } from '../../lib/store/job-store';
import { invoke, prepareFunctionServices } from '../support/http-handlers';
import { createTestQueues } from '../support/queues';

let services: Services;
let cleanUp: () => Promise<void>;

beforeAll(async () => {
  services = getServices();
  cleanUp = await prepareFunctionServices();
  await createTestQueues(services);
});

afterAll(async () => {
  await cleanUp();
});

function request(idempotencyKey: string, url = 'http://127.0.0.1:9/hook') {
  return { type: 'http', payload: { url }, idempotencyKey };
}

function enqueue(body: unknown, queue = 'default') {
  return invoke(enqueueApi.handler, { pathParameters: { queue }, body });
}

describe('idempotency keys', () => {
  it('creates one job for 20 concurrent requests with one key', async () => {
    const key = `order-${randomUUID()}`;
    const responses = await Promise.all(Array.from({ length: 20 }, () => enqueue(request(key))));

    const ids = new Set(responses.map((response) => response.body.id));
    expect(ids.size).toBe(1);
    expect(responses.filter((response) => response.status === 202)).toHaveLength(1);
    expect(responses.filter((response) => response.status === 200)).toHaveLength(19);
    expect(responses.filter((response) => response.body.existing === true)).toHaveLength(19);
    expect(await services.jobs.countDocuments({ idempotencyKey: key })).toBe(1);
  });

  it('returns the existing job for a later request', async () => {
    const key = `later-${randomUUID()}`;
    const first = await enqueue(request(key));
    const second = await enqueue(request(key));
    expect(first.status).toBe(202);
    expect(second).toEqual({ status: 200, body: { id: first.body.id, state: 'queued', existing: true } });
  });

  it('rejects a key reused for a different request', async () => {
    const key = `reuse-${randomUUID()}`;
    await enqueue(request(key, 'http://127.0.0.1:9/a'));
    const response = await enqueue(request(key, 'http://127.0.0.1:9/b'));
    expect(response.status).toBe(422);
    expect(response.body.error.message).toContain('was used for a different request');
    expect(await services.jobs.countDocuments({ idempotencyKey: key })).toBe(1);
  });

  it('keeps keys apart per queue', async () => {
    const key = `queues-${randomUUID()}`;
    const [a, b] = await Promise.all([enqueue(request(key), 'default'), enqueue(request(key), 'webhooks')]);
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    expect(a.body.id).not.toBe(b.body.id);
  });

  it('inserts the job when the request that claimed the key failed before it', async () => {
    const key = `orphan-${randomUUID()}`;
    const now = new Date();
    const body = request(key);
    const keys = idempotencyCollection(services.mongo.db(services.config.MONGODB_DATABASE));
    await claimIdempotencyKey(keys, { _id: `default:${key}`, jobId: 'orphaned-job-id', requestHash: hashRequest(body), createdAt: now, expiresAt: new Date(now.getTime() + 60_000) });

    const response = await enqueue(body);
    expect(response).toMatchObject({ status: 200, body: { id: 'orphaned-job-id', existing: true } });
    expect(await findJob(services.jobs, 'orphaned-job-id')).toMatchObject({ idempotencyKey: key, state: 'queued' });
  });

  it('treats a key past its window as new', async () => {
    const keys = idempotencyCollection(services.mongo.db(services.config.MONGODB_DATABASE));
    const id = `default:expired-${randomUUID()}`;
    const past = new Date(Date.now() - 120_000);
    await keys.insertOne({ _id: id, jobId: 'old-job', requestHash: 'x', createdAt: past, expiresAt: new Date(past.getTime() + 60_000) });
    const claim = await claimIdempotencyKey(keys, { _id: id, jobId: 'new-job', requestHash: 'y', createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000) });
    expect(claim).toEqual({ owned: true });
    expect((await keys.findOne({ _id: id }))?.jobId).toBe('new-job');
  });

  it('rejects an invalid key', async () => {
    const response = await enqueue(request('has spaces in it'));
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('idempotencyKey must be 1 to 255 printable ASCII characters without spaces');
  });

  it('applies keys inside a batch', async () => {
    const key = `batch-${randomUUID()}`;
    const response = await invoke(enqueueApi.batchHandler, { pathParameters: { queue: 'default' }, body: { jobs: [request(key), request(key), { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }] } });
    expect(response.status).toBe(202);
    const [first, second, third] = response.body.jobs;
    expect(second).toEqual({ id: first.id, state: 'queued', existing: true });
    expect(third.id).not.toBe(first.id);
    expect(await services.jobs.countDocuments({ idempotencyKey: key })).toBe(1);
  });
});
