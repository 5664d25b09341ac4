import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { createSluiceClient, type AnyJobTypes, type SluiceClient } from '../../sdk';
import { freePort } from '../support/free-port';
import type { TestStack } from '../support/test-stack';
import { waitForJobState } from '../support/wait-for-job';

/** Tests of the `sluice` command, spawned against the local stack. Registers its tests in the calling test file, which starts the stack. */
export function cliCases(getStack: () => TestStack): void {
  const launcher = resolve(__dirname, '..', '..', 'bin', 'sluice.cjs');

  let testStack: TestStack;
  let client: SluiceClient<AnyJobTypes>;
  let receiverUrl: string;

  beforeAll(() => {
    testStack = getStack();
    client = createSluiceClient<AnyJobTypes>({ url: testStack.stack.httpEndpoint, apiKey: testStack.stack.apiKey });
    receiverUrl = testStack.receiver.url;
  });

  function start(args: string[]): ChildProcessWithoutNullStreams {
    return spawn(process.execPath, [launcher, ...args], {
      env: { ...process.env, SLUICE_URL: testStack.stack.httpEndpoint, SLUICE_API_KEY: testStack.stack.apiKey },
      stdio: 'pipe',
    });
  }

  /** Runs the CLI to its end and returns its exit status and output. */
  function sluice(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolvePromise, reject) => {
      const child = start(args);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    });
  }

  describe('sluice CLI against the local stack', () => {
    it('enqueues a job and prints its status', async () => {
      const key = `cli-ok-${randomUUID()}`;
      const enqueued = await sluice(['enqueue', 'default', 'http', JSON.stringify({ url: `${receiverUrl}/ok/${key}` }), '--priority', '2']);
      expect(enqueued.stderr).toBe('');
      expect(enqueued.code).toBe(0);
      const [id, state] = enqueued.stdout.trim().split(' ');
      expect(state).toBe('queued');

      expect((await waitForJobState(client, id ?? '', ['completed', 'dead'])).state).toBe('completed');
      const status = await sluice(['status', id ?? '']);
      expect(status.code).toBe(0);
      expect(status.stdout).toContain(`id         ${id}`);
      expect(status.stdout).toContain('state      completed');
      expect(status.stdout).toContain('priority   2');
      expect(testStack.receiver.deliveries(key)).toEqual([200]);
    });

    it('prints stats as text and as JSON', async () => {
      const text = await sluice(['stats', 'default']);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/^queue default\nqueued +\d+\n/);
      expect(text.stdout).toMatch(/\ntotal +\d+\n$/);

      const json = await sluice(['--json', 'stats', 'default']);
      expect(JSON.parse(json.stdout)).toMatchObject({ queue: 'default', counts: { dead: expect.any(Number) }, total: expect.any(Number) });
    });

    it('retries a dead job', async () => {
      const { id } = await client.enqueue('default', 'http', { url: `${receiverUrl}/missing/${randomUUID()}` });
      expect((await waitForJobState(client, id, ['dead'])).state).toBe('dead');

      const retried = await sluice(['retry', id, '--max-attempts', '1']);
      expect(retried.code).toBe(0);
      expect(retried.stdout).toBe(`${id} queued (attempts 1 of 2)\n`);

      const delayed = await client.enqueue('default', 'http', { url: `${receiverUrl}/ok/x` }, { delaySeconds: 600 });
      const notDead = await sluice(['retry', delayed.id]);
      expect(notDead.code).toBe(1);
      expect(notDead.stderr).toContain('returned 409');
      expect(notDead.stderr).toContain('only a dead job can be retried');
    });

    it('cancels a delayed job', async () => {
      const delayed = await sluice(['enqueue', 'default', 'http', JSON.stringify({ url: `${receiverUrl}/ok/x` }), '--delay', '600']);
      const [id, state] = delayed.stdout.trim().split(' ');
      expect(state).toBe('delayed');

      const cancelled = await sluice(['cancel', id ?? '']);
      expect(cancelled.code).toBe(0);
      expect(cancelled.stdout).toBe(`${id} cancelled\n`);
    });

    it('exits 1 with the API message for a rejected payload', async () => {
      // The http type requires url, so the API rejects an empty payload with 422 naming the field.
      const result = await sluice(['enqueue', 'default', 'http', '--delay', '600']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('returned 422');
      expect(result.stderr).toContain('  payload.url: is required');
    });

    it('tails state changes until interrupted', async () => {
      const child = start(['tail', 'webhooks', '--interval', '0.2']);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      const exited = new Promise<number | null>((resolvePromise) => child.on('close', resolvePromise));
      const waitFor = async (condition: () => boolean, what: string) => {
        const deadline = Date.now() + 30_000;
        while (!condition()) {
          if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}; stdout: ${stdout}; stderr: ${stderr}`);
          }
          await new Promise((resolvePromise) => setTimeout(resolvePromise, 100));
        }
      };
      let id = '';
      try {
        await waitFor(() => stderr.includes('following queue webhooks'), 'tail to start');
        ({ id } = await client.enqueue('webhooks', 'http', { url: `${receiverUrl}/ok/${randomUUID()}` }));
        // A slow poll may first see the job completed, so the line has no previous state then.
        await waitFor(() => new RegExp(`${id}  http  (\\S+ -> )?completed`).test(stdout), 'the completed line');
      } finally {
        child.kill('SIGINT');
      }
      expect(await exited).toBe(0);
      const lines = stdout.split('\n').filter((line) => line.includes(id));
      expect(lines[0]).toMatch(new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z  ${id}  http  (queued|active|completed)  attempts \\d/5$`));
      expect(lines.at(-1)).toMatch(/ completed  attempts 1\/5$/);
      // Each later line starts from the state the line before it printed.
      // Fields are separated by two spaces: time, id, type, transition, attempts.
      const transitions = lines.map((line) => line.split('  ')[3] ?? '');
      for (let index = 1; index < transitions.length; index += 1) {
        const printed = transitions[index - 1]?.split(' -> ').at(-1);
        expect({ lines, transition: transitions[index] }).toEqual({ lines, transition: expect.stringMatching(new RegExp(`^${printed} -> `)) });
      }
      expect(stderr).not.toContain('MaxListenersExceededWarning');
    });

    it('exits 3 naming an unreachable URL', async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      const result = await sluice(['--url', url, '--retries', '1', 'stats', 'default']);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`could not connect to the Sluice API at ${url} (ECONNREFUSED after 2 attempts)`);
    });

    it('exits 2 and writes nothing for a bad flag', async () => {
      const before = (await client.stats('default')).total;
      const result = await sluice(['enqueue', 'default', 'http', JSON.stringify({ url: `${receiverUrl}/ok/x` }), '--delay', 'abc']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("option '--delay <seconds>' argument 'abc' is invalid");
      expect((await client.stats('default')).total).toBe(before);
    });
  });
}
