import '../support/function-environment';
import { randomUUID } from 'node:crypto';
import * as api from '../../functions/schedules-api';
import { getServices, type Services } from '../../lib/clients';
import { invoke, prepareFunctionServices } from '../support/http-handlers';

let services: Services;
let cleanUp: () => Promise<void>;

beforeAll(async () => {
  services = getServices();
  cleanUp = await prepareFunctionServices();
});

afterAll(async () => {
  await cleanUp();
});

function scheduleBody(overrides: Record<string, unknown> = {}) {
  return {
    id: `report-${randomUUID().slice(0, 8)}`,
    queue: 'default',
    cron: '0 * * * *',
    job: { type: 'http', payload: { url: 'http://127.0.0.1:9/report' } },
    ...overrides,
  };
}

describe('schedules API', () => {
  it('creates a schedule with its defaults', async () => {
    const body = scheduleBody();
    const response = await invoke(api.create, { body });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      id: body.id,
      queue: 'default',
      cron: '0 * * * *',
      timeZone: 'UTC',
      paused: false,
      missedSlots: 'runOnce',
      job: { type: 'http', payload: { url: 'http://127.0.0.1:9/report', method: 'POST' }, maxAttempts: null },
      lastSlotAt: null,
    });
    expect(new Date(response.body.nextSlotAt).getUTCMinutes()).toBe(0);
    expect(await invoke(api.get, { pathParameters: { id: body.id } })).toMatchObject({ status: 200, body: { id: body.id } });
  });

  it('rejects an existing id with 409', async () => {
    const body = scheduleBody();
    expect((await invoke(api.create, { body })).status).toBe(201);
    const again = await invoke(api.create, { body: { ...body, cron: '*/5 * * * *' } });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(`schedule "${body.id}" already exists`);
    expect((await services.schedules.findOne({ _id: body.id }))?.cron).toBe('0 * * * *');
  });

  it.each([
    ['a bad cron expression', { cron: '61 * * * *' }, 400, 'cron', '"61 * * * *" is invalid'],
    ['a cron expression with seconds', { cron: '0 * * * * *' }, 400, 'cron', 'must have five fields'],
    ['a cron expression that never fires', { cron: '0 0 30 2 *' }, 400, 'cron', 'never matches a date'],
    ['an unknown time zone', { timeZone: 'Mars/Olympus' }, 400, 'timeZone', '"Mars/Olympus" is not an IANA time zone'],
    ['a bad id', { id: 'Nightly Report' }, 400, 'id', 'lowercase letters'],
    ['a bad missed-slot policy', { missedSlots: 'always' }, 400, 'missedSlots', 'must be "runOnce" or "skip"'],
    ['a timing field in the job', { job: { type: 'http', payload: { url: 'http://127.0.0.1:9/' }, delaySeconds: 5 } }, 400, 'job', 'unknown fields delaySeconds'],
    ['an unknown job type', { job: { type: 'nope', payload: {} } }, 422, 'job.type', 'unknown job type'],
    ['a payload its schema rejects', { job: { type: 'http', payload: { url: 'ftp://example.test/' } } }, 422, 'job.payload.url', ''],
    ['an undefined queue', { queue: 'missing' }, 422, 'queue', 'queue "missing" is not defined'],
  ])('rejects %s and stores nothing', async (_case, overrides, status, field, message) => {
    const body = scheduleBody(overrides);
    const response = await invoke(api.create, { body });
    expect(response.status).toBe(status);
    const problem = response.body.error.problems.find((entry: { field: string }) => entry.field === field);
    expect(problem).toBeDefined();
    expect(problem.message).toContain(message);
    expect(response.body.error.message).toContain(field);
    expect(await services.schedules.countDocuments({ _id: String(body.id) })).toBe(0);
  });

  it('pauses, resumes and deletes a schedule', async () => {
    const body = scheduleBody({ missedSlots: 'skip' });
    await invoke(api.create, { body });
    const path = { pathParameters: { id: body.id } };

    expect(await invoke(api.pause, path)).toMatchObject({ status: 200, body: { paused: true } });
    expect(await invoke(api.pause, path)).toMatchObject({ status: 200, body: { paused: true } });
    expect(await invoke(api.resume, path)).toMatchObject({ status: 200, body: { paused: false, missedSlots: 'skip' } });
    expect(await invoke(api.remove, path)).toMatchObject({ status: 200, body: { id: body.id } });
    expect((await invoke(api.get, path)).status).toBe(404);
    expect((await invoke(api.remove, path)).status).toBe(404);
  });

  it('returns 404 for an unknown schedule', async () => {
    for (const handler of [api.get, api.pause, api.resume, api.remove]) {
      const response = await invoke(handler, { pathParameters: { id: 'no-such-schedule' } });
      expect(response.status).toBe(404);
      expect(response.body.error.message).toContain('schedule "no-such-schedule" not found');
    }
  });
});
