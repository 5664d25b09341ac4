import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { PublicJob } from '../../lib/jobs/job';
import { getJson, postJson } from '../../scripts/demo/http-client';
import { startTestStack, type TestStack } from '../support/test-stack';

jest.setTimeout(90_000);

/** Debian's chromium package; scripts/setup.sh installs it. Playwright never downloads a browser here. */
const CHROMIUM = '/usr/bin/chromium';
/** Without the background-networking flags Chromium reaches for the network, which is closed here. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** Folder of the screenshots (before and after the retry); SLUICE_DASHBOARD_SCREENSHOT_DIR moves it. */
const SCREENSHOT_DIR = process.env.SLUICE_DASHBOARD_SCREENSHOT_DIR ?? tmpdir();

let testStack: TestStack;
let profileDir: string;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const apiRequests: { url: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  testStack = await startTestStack({ stagePrefix: 'dash', functionEnv: { SLUICE_OUTBOX_GRACE_SECONDS: '1' } });
  profileDir = mkdtempSync(join(tmpdir(), 'sluice-chromium-'));
  browser = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 1000 } });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') {
      pageErrors.push(message.text());
    }
  });
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('request', (request) => {
    if (!request.url().includes('/dashboard')) {
      apiRequests.push({ url: request.url(), authorization: request.headers().authorization });
    }
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (profileDir) {
    rmSync(profileDir, { recursive: true, force: true });
  }
  await testStack?.stop();
});

async function getJob(id: string): Promise<PublicJob> {
  const response = await getJson<PublicJob>(`${testStack.stack.httpEndpoint}/jobs/${id}`, testStack.stack.apiKey);
  expect(response.status).toBe(200);
  return response.body;
}

/** Polls the job until it reaches one of `states` or `timeoutMs` passes; returns the last view. */
async function waitForState(id: string, states: string[], timeoutMs = 20_000): Promise<PublicJob> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(id);
    if (states.includes(job.state) || Date.now() > deadline) {
      return job;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Calls `read` until `done` accepts its value or `timeoutMs` passes; returns the last value. */
async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) {
      return value;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('dashboard in headless Chromium', () => {
  it('shows a dead job and retries it', async () => {
    const { stack, receiver } = testStack;
    // The receiver returns 500 to the first delivery and 200 after: the only attempt fails, the retry succeeds.
    const key = `dash-${randomUUID()}`;
    const enqueued = await postJson<{ id: string }>(`${stack.httpEndpoint}/queues/default/jobs`, {
      type: 'http',
      payload: { url: `${receiver.url}/flaky/${key}?failures=1` },
      maxAttempts: 1,
    }, stack.apiKey);
    expect(enqueued.status).toBe(202);
    const id = enqueued.body.id;
    expect((await waitForState(id, ['dead'])).state).toBe('dead');

    const response = await page.goto(`${stack.httpEndpoint}/dashboard`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    // The first load runs without a key; every call after the key is entered carries it.
    await pollUntil(() => page.locator('#status').textContent(), (text) => text?.startsWith('updated') === true);
    apiRequests.length = 0;
    await page.fill('#api-key', testStack.stack.apiKey);
    await page.click('#key-form button[type="submit"]');

    // Both queues of queues.json, with the default queue's dead job counted.
    await page.locator('[data-queue="webhooks"]').waitFor();
    const deadCount = page.locator('[data-queue="default"] [data-state="dead"] .value');
    expect(await pollUntil(() => deadCount.textContent(), (text) => text === '1')).toBe('1');

    const row = page.locator(`#dead-jobs tr[data-job-id="${id}"]`);
    await row.waitFor();
    expect(await row.locator('td.error').textContent()).toContain('HTTP 500');
    await page.screenshot({ path: join(SCREENSHOT_DIR, 'sluice-dashboard-dead.png'), fullPage: true });
    await row.locator('button[data-action="retry"]').click();
    const status = page.locator('#status');
    expect(await pollUntil(() => status.textContent(), (text) => text?.includes('retried') === true)).toContain(`job ${id} retried`);

    const retried = await waitForState(id, ['completed']);
    expect(retried.state).toBe('completed');
    expect(retried.history.map((entry) => entry.state)).toEqual(['queued', 'active', 'dead', 'queued', 'active', 'completed']);
    expect(receiver.deliveries(key)).toEqual([500, 200]);

    // The job's detail shows its history, and the next refresh counts it as completed.
    const historyRows = page.locator('#job-history tbody tr');
    expect(await pollUntil(() => historyRows.count(), (count) => count === 6)).toBe(6);
    expect(await pollUntil(() => deadCount.textContent(), (text) => text === '0')).toBe('0');
    expect(await page.locator('[data-queue="default"] [data-state="completed"] .value').textContent()).toBe('1');
    const screenshot = join(SCREENSHOT_DIR, 'sluice-dashboard-retried.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);

    expect(pageErrors).toEqual([]);
    expect(apiRequests.length).toBeGreaterThan(0);
    for (const request of apiRequests) {
      expect(request.authorization).toBe(`Bearer ${testStack.stack.apiKey}`);
      expect(request.url).not.toContain(testStack.stack.apiKey);
    }
  });

  it('cancels a delayed job from its detail', async () => {
    const { stack, receiver } = testStack;
    const enqueued = await postJson<{ id: string; state: string }>(`${stack.httpEndpoint}/queues/default/jobs`, {
      type: 'http',
      payload: { url: `${receiver.url}/ok/${randomUUID()}` },
      delaySeconds: 600,
    }, stack.apiKey);
    expect(enqueued.body.state).toBe('delayed');
    const id = enqueued.body.id;

    await page.fill('#job-id', id);
    await page.click('#job-form button[type="submit"]');
    const cancel = page.locator('#job-cancel');
    await cancel.waitFor({ state: 'visible' });
    expect(await page.locator('#job-retry').isVisible()).toBe(false);
    await cancel.click();

    const status = page.locator('#status');
    expect(await pollUntil(() => status.textContent(), (text) => text?.includes('cancelled') === true)).toContain(`job ${id} cancelled`);
    const cancelled = await getJob(id);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.history.map((entry) => entry.state)).toEqual(['delayed', 'cancelled']);
    await cancel.waitFor({ state: 'hidden' });
    expect(pageErrors).toEqual([]);
  });
});
