import '../support/function-environment';
import type { APIGatewayRequestAuthorizerEventV2, Context } from 'aws-lambda';
import { handler as authorizer } from '../../functions/authorizer';
import * as enqueueApi from '../../functions/enqueue';
import * as jobsApi from '../../functions/jobs-api';
import * as schedulesApi from '../../functions/schedules-api';
import { apiKeysCollection, createApiKey, listApiKeys, parseApiKey, revokeApiKey, verifyApiKey } from '../../lib/auth/api-key-store';
import { decodeGrants, type Grants } from '../../lib/auth/grants';
import { getServices, type Services } from '../../lib/clients';
import { ADMIN_GRANTS, invoke, prepareFunctionServices } from '../support/http-handlers';
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

const keys = () => apiKeysCollection(services.mongo.db(services.config.MONGODB_DATABASE));

const context = { functionName: 'authorizer', awsRequestId: 'test', getRemainingTimeInMillis: () => 5_000 } as unknown as Context;

function authorizerEvent(header: string | undefined): APIGatewayRequestAuthorizerEventV2 {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:000000000000:api/dev/GET/jobs/x',
    identitySource: header === undefined ? [] : [header],
    routeKey: 'GET /jobs/{id}',
    rawPath: '/jobs/x',
    rawQueryString: '',
    headers: header === undefined ? {} : { authorization: header },
    requestContext: {},
  } as unknown as APIGatewayRequestAuthorizerEventV2;
}

const job = { type: 'http', payload: { url: 'http://127.0.0.1:9/hook' } };

describe('API key store', () => {
  it('stores only a SHA-256 hash of the secret', async () => {
    const created = await createApiKey(keys(), { name: 'billing', queues: ['default'], actions: ['enqueue'] });
    const stored = await keys().findOne({ _id: created.id });
    const secret = parseApiKey(created.key)?.secret as string;
    expect(stored?.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(secret);
  });

  it('verifies a key and returns its grants', async () => {
    const created = await createApiKey(keys(), { name: 'reader', queues: ['default', 'webhooks'], actions: ['read'] });
    expect(await verifyApiKey(keys(), created.key)).toEqual({ keyId: created.id, queues: ['default', 'webhooks'], actions: ['read'] });
  });

  it('rejects a wrong secret, an unknown id and a malformed key', async () => {
    const created = await createApiKey(keys(), { name: 'x', queues: ['*'], actions: ['read'] });
    const wrongSecret = `${created.key.slice(0, -1)}${created.key.endsWith('A') ? 'B' : 'A'}`;
    expect(await verifyApiKey(keys(), wrongSecret)).toBeUndefined();
    expect(await verifyApiKey(keys(), created.key.replace(created.id, '0123456789abcdef'))).toBeUndefined();
    expect(await verifyApiKey(keys(), 'not-a-key')).toBeUndefined();
    expect(await verifyApiKey(keys(), `${created.key} `)).toBeUndefined();
  });

  it('rejects a revoked key and lists it as revoked', async () => {
    const created = await createApiKey(keys(), { name: 'old', queues: ['*'], actions: ['admin'] });
    expect(await revokeApiKey(keys(), created.id)).toBe(true);
    expect(await verifyApiKey(keys(), created.key)).toBeUndefined();
    const listed = (await listApiKeys(keys())).find((key) => key.id === created.id);
    expect(listed?.revokedAt).toBeInstanceOf(Date);
    expect(listed).not.toHaveProperty('secretHash');
  });

  it('reports revoking an unknown key', async () => {
    expect(await revokeApiKey(keys(), 'ffffffffffffffff')).toBe(false);
  });

  it('rejects an unknown action at creation', async () => {
    await expect(createApiKey(keys(), { name: 'x', queues: ['*'], actions: ['delete' as never] })).rejects.toThrow('use one or more of enqueue, read, admin');
  });
});

describe('authorizer function', () => {
  it('passes the grants of a valid key in the context', async () => {
    const created = await createApiKey(keys(), { name: 'ok', queues: ['default'], actions: ['enqueue', 'read'] });
    const result = await authorizer(authorizerEvent(`Bearer ${created.key}`), context);
    expect(result.isAuthorized).toBe(true);
    expect(decodeGrants(result.context)).toEqual({ keyId: created.id, queues: ['default'], actions: ['enqueue', 'read'] });
  });

  it.each([
    ['no header', undefined],
    ['a basic scheme', 'Basic dXNlcjpwYXNz'],
    ['an unknown key', 'Bearer sluice_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a bare key without Bearer', 'sluice_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('throws Unauthorized for %s', async (_case, header) => {
    await expect(authorizer(authorizerEvent(header), context)).rejects.toThrow('Unauthorized');
  });

  it('throws Unauthorized for a revoked key', async () => {
    const created = await createApiKey(keys(), { name: 'gone', queues: ['*'], actions: ['read'] });
    await revokeApiKey(keys(), created.id);
    await expect(authorizer(authorizerEvent(`Bearer ${created.key}`), context)).rejects.toThrow('Unauthorized');
  });
});

describe('handler grants', () => {
  const readDefault: Grants = { keyId: 'reader', queues: ['default'], actions: ['read'] };
  const enqueueWebhooks: Grants = { keyId: 'producer', queues: ['webhooks'], actions: ['enqueue'] };

  it('answers 401 without authorizer grants', async () => {
    const response = await invoke(enqueueApi.handler, { pathParameters: { queue: 'default' }, body: job, grants: null });
    expect(response.status).toBe(401);
    expect(response.body.error.message).toContain('Authorization: Bearer <api key>');
  });

  it('answers 403 for enqueue on a queue the key lacks', async () => {
    const response = await invoke(enqueueApi.handler, { pathParameters: { queue: 'default' }, body: job, grants: enqueueWebhooks });
    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe('API key producer may not enqueue on queue "default"; use a key granted enqueue on this queue');
  });

  it('answers 403 for enqueue with a read-only key', async () => {
    const response = await invoke(enqueueApi.batchHandler, { pathParameters: { queue: 'default' }, body: { jobs: [job] }, grants: readDefault });
    expect(response.status).toBe(403);
  });

  it('refuses a status read of another key’s queue', async () => {
    const enqueued = await invoke(enqueueApi.handler, { pathParameters: { queue: 'webhooks' }, body: job, grants: enqueueWebhooks });
    expect(enqueued.status).toBe(202);
    const read = await invoke(jobsApi.getJob, { pathParameters: { id: enqueued.body.id }, grants: readDefault });
    expect(read.status).toBe(403);
    expect(read.body.error.message).toContain('may not read on queue "webhooks"');
    expect(read.body).not.toHaveProperty('state');
  });

  it('lets admin read and refuses cancel with read only', async () => {
    const enqueued = await invoke(enqueueApi.handler, { pathParameters: { queue: 'default' }, body: { ...job, delaySeconds: 600 } });
    const adminDefault: Grants = { keyId: 'operator', queues: ['default'], actions: ['admin'] };
    expect((await invoke(jobsApi.getJob, { pathParameters: { id: enqueued.body.id }, grants: adminDefault })).status).toBe(200);
    expect((await invoke(jobsApi.queueStats, { pathParameters: { queue: 'default' }, grants: adminDefault })).status).toBe(200);
    const refused = await invoke(jobsApi.cancelJob, { pathParameters: { id: enqueued.body.id }, grants: readDefault });
    expect(refused.status).toBe(403);
    expect((await invoke(jobsApi.getJob, { pathParameters: { id: enqueued.body.id } })).body.state).toBe('delayed');
    expect((await invoke(jobsApi.cancelJob, { pathParameters: { id: enqueued.body.id }, grants: adminDefault })).status).toBe(200);
  });

  it('refuses stats and listings of another queue', async () => {
    expect((await invoke(jobsApi.queueStats, { pathParameters: { queue: 'webhooks' }, grants: readDefault })).status).toBe(403);
    expect((await invoke(jobsApi.listJobs, { pathParameters: { queue: 'webhooks' }, query: { state: 'dead' }, grants: readDefault })).status).toBe(403);
  });

  it('requires admin on the queue to create a schedule', async () => {
    const body = { id: 'auth-check', queue: 'webhooks', cron: '0 3 * * *', job };
    expect((await invoke(schedulesApi.create, { body, grants: readDefault })).status).toBe(403);
    expect((await invoke(schedulesApi.create, { body, grants: { keyId: 'op', queues: ['default'], actions: ['admin'] } })).status).toBe(403);
    expect((await invoke(schedulesApi.create, { body, grants: ADMIN_GRANTS })).status).toBe(201);
    expect((await invoke(schedulesApi.get, { pathParameters: { id: 'auth-check' }, grants: readDefault })).status).toBe(403);
    expect((await invoke(schedulesApi.pause, { pathParameters: { id: 'auth-check' }, grants: { keyId: 'r', queues: ['webhooks'], actions: ['read'] } })).status).toBe(403);
    expect((await invoke(schedulesApi.get, { pathParameters: { id: 'auth-check' }, grants: { keyId: 'r', queues: ['webhooks'], actions: ['read'] } })).status).toBe(200);
  });
});
