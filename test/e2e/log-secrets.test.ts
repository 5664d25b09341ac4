import { randomUUID } from 'node:crypto';
import type { PublicJob } from '../../lib/jobs/job';
import { authHeaders, getJson, postJson } from '../../scripts/demo/http-client';
import { startTestStack, type TestStack } from '../support/test-stack';

jest.setTimeout(120_000);

/** A value that must never reach a log line: it rides in payload bodies, headers, URLs and rejected requests. */
const MARKER = `payload-marker-${randomUUID()}`;
const functionLogs: string[] = [];
let testStack: TestStack;

beforeAll(async () => {
  // DEBUG is the most verbose level, so nothing a lower level hides escapes the check.
  testStack = await startTestStack({ stagePrefix: 'logs', functionEnv: { POWERTOOLS_LOG_LEVEL: 'DEBUG' }, onFunctionLog: (line) => functionLogs.push(line) });
}, 120_000);

afterAll(async () => {
  await testStack?.stop();
});

async function waitForStates(ids: string[], states: string[]): Promise<PublicJob[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const jobs = await Promise.all(ids.map(async (id) => (await getJson<PublicJob>(`${testStack.stack.httpEndpoint}/jobs/${id}`, testStack.stack.apiKey)).body));
    if (jobs.every((job) => states.includes(job.state)) || Date.now() > deadline) {
      return jobs;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('function logs', () => {
  it('contain no API key, authorization header or payload', async () => {
    const { stack, receiver } = testStack;
    const endpoint = `${stack.httpEndpoint}/queues/default/jobs`;
    const payload = (kind: string) => ({
      url: `${receiver.url}/${kind}/${MARKER}?token=${MARKER}`,
      headers: { authorization: `Bearer ${MARKER}`, 'x-marker': MARKER },
      body: { marker: MARKER, nested: { list: [MARKER] } },
    });

    const completed = await postJson<{ id: string }>(endpoint, { type: 'http', payload: payload('ok'), idempotencyKey: `key-${randomUUID()}` }, stack.apiKey);
    const failed = await postJson<{ id: string }>(endpoint, { type: 'http', payload: payload('broken'), maxAttempts: 2 }, stack.apiKey);
    const missing = await postJson<{ id: string }>(endpoint, { type: 'http', payload: payload('missing') }, stack.apiKey);
    const batch = await postJson<{ jobs: { id: string }[] }>(`${endpoint}/batch`, { jobs: [{ type: 'http', payload: payload('ok') }] }, stack.apiKey);
    expect([completed.status, failed.status, missing.status, batch.status]).toEqual([202, 202, 202, 202]);

    // Rejected requests whose error messages quote the payload.
    const rejected = await postJson(endpoint, { type: 'http', payload: { ...payload('ok'), url: `http://10.0.0.1/${MARKER}` } }, stack.apiKey);
    expect(rejected.status).toBe(422);
    const badJson = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders(stack.apiKey) }, body: `{"marker": ${MARKER}}` });
    expect(badJson.status).toBe(400);
    const dollarKey = await postJson(endpoint, { type: 'http', payload: { url: `${receiver.url}/ok/x`, body: { [`$${MARKER}`]: 1 } } }, stack.apiKey);
    expect(dollarKey.status).toBe(400);
    const wrongKey = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${MARKER}` }, body: '{}' });
    expect(wrongKey.status).toBe(401);

    const jobs = await waitForStates([completed.body.id, failed.body.id, missing.body.id, ...batch.body.jobs.map((job) => job.id)], ['completed', 'dead']);
    expect(jobs.map((job) => job.state)).toEqual(['completed', 'dead', 'dead', 'completed']);
    const stats = await getJson(`${stack.httpEndpoint}/queues/default/stats`, stack.apiKey);
    expect(stats.status).toBe(200);
    // The handlers flush their log lines as they return; give the last ones a moment to arrive.
    await new Promise((resolve) => setTimeout(resolve, 500));

    const logs = functionLogs.join('\n');
    expect(logs).toContain('attempt succeeded');
    expect(logs).toContain('attempt failed; job is dead');
    expect(logs).toContain('request rejected');
    const secret = stack.apiKey.slice(stack.apiKey.lastIndexOf('_') + 1);
    const leaks = functionLogs.filter((line) => line.includes(MARKER) || line.includes(secret) || /bearer /i.test(line));
    expect(leaks).toEqual([]);
  });
});
