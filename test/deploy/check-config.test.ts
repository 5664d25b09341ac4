import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');

jest.setTimeout(60_000);

async function checkConfig(...files: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.SLUICE_QUEUES_FILE;
  delete env.SLUICE_TRIGGERS_FILE;
  try {
    const { stdout, stderr } = await run(tsx, [join(root, 'scripts', 'check-config.ts'), ...files], { cwd: root, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('npm run check:config', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sluice-check-config-'));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes the shipped queues and triggers', async () => {
    const result = await checkConfig();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('pass the configuration check');
  });

  it('fails listing every broken rule with its queue and setting', async () => {
    const queuesFile = join(dir, 'queues.json');
    writeFileSync(
      queuesFile,
      JSON.stringify({
        queues: {
          emails: { timeoutSeconds: 60, visibilityTimeoutSeconds: 300 },
          reports: { maxConcurrency: 1 },
          imports: { maxConcurrency: 20, reservedConcurrency: 10 },
          exports: { maxReceiveCount: 3 },
          digests: { delaySeconds: 1200 },
        },
      }),
    );
    const result = await checkConfig(queuesFile, join(root, 'triggers.json'));

    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n').slice(1);
    expect(lines).toEqual([
      expect.stringContaining('queue "emails": visibilityTimeoutSeconds 300 is below 6 x timeoutSeconds (60)'),
      expect.stringContaining('queue "reports": maxConcurrency 1 is outside'),
      expect.stringContaining('queue "imports": maxConcurrency 20 is above the reserved concurrency 10'),
      expect.stringContaining('queue "exports": maxReceiveCount 3 is outside 5 to 1000'),
      expect.stringContaining('queue "digests": delaySeconds 1200 is over the SQS maximum of 900 s'),
    ]);
  });

  it('fails on an unknown key in a queue or trigger', async () => {
    const queuesFile = join(dir, 'unknown-key.json');
    const triggersFile = join(dir, 'triggers.json');
    writeFileSync(queuesFile, JSON.stringify({ queues: { emails: { timeout: 30 } } }));
    writeFileSync(triggersFile, JSON.stringify({ triggers: { orders: { source: { sns: { topicName: 'orders' } }, queue: 'emails', jobType: 'http', payload: {}, dlq: true } } }));
    const result = await checkConfig(queuesFile, triggersFile);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('queue "emails": unknown setting "timeout"');
    expect(result.stderr).toContain('trigger "orders": unknown setting "dlq"');
  });
});
