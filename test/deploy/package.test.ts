import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkTemplate } from '../../lib/deploy/check-template';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

jest.setTimeout(120_000);

describe('serverless package', () => {
  let outputDir: string;

  beforeAll(() => {
    outputDir = mkdtempSync(join(tmpdir(), 'sluice-package-'));
  });

  afterAll(() => {
    rmSync(outputDir, { recursive: true, force: true });
  });

  it('packages every function without AWS credentials', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', AWS_SDK_LOAD_CONFIG: '0', HOME: outputDir };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
      delete env[name];
    }
    await run(process.execPath, [join(root, 'node_modules', 'osls', 'bin', 'serverless.js'), 'package', '--stage', 'ci', '--package', outputDir], { cwd: root, env });

    const functionNames = [
      ...['authorizer', 'enqueue', 'enqueueBatch', 'getJob', 'queueStats', 'listJobs', 'cancelJob', 'retryJob', 'dispatch', 'process-default', 'process-webhooks', 'process-webhooks-high'],
      ...['createSchedule', 'getSchedule', 'pauseSchedule', 'resumeSchedule', 'deleteSchedule'],
    ];
    for (const name of functionNames) {
      expect(existsSync(join(outputDir, `${name}.zip`))).toBe(true);
    }
    const template = JSON.parse(readFileSync(join(outputDir, 'cloudformation-template-update-stack.json'), 'utf8'));
    expect(checkTemplate(template)).toEqual([]);
    expect(template.Resources.ProcessDashdefaultLambdaFunction.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      ReservedConcurrentExecutions: 10,
      Environment: { Variables: expect.objectContaining({ SLUICE_QUEUE: 'default', SLUICE_STAGE: 'ci' }) },
    });
    const routes = Object.values(template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).filter(
      (resource) => resource.Type === 'AWS::ApiGatewayV2::Route',
    );
    expect(routes).toHaveLength(12);
    const authorizers = Object.values(template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>).filter(
      (resource) => resource.Type === 'AWS::ApiGatewayV2::Authorizer',
    );
    expect(authorizers).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({ AuthorizerType: 'REQUEST', IdentitySource: ['$request.header.Authorization'], AuthorizerResultTtlInSeconds: 60, EnableSimpleResponses: true }),
      }),
    ]);
    expect(template.Resources.DefaultQueue.Properties).toMatchObject({ QueueName: 'sluice-ci-default', VisibilityTimeout: 180 });
    expect(template.Resources.WebhooksHighQueue.Properties).toMatchObject({ QueueName: 'sluice-ci-webhooks-high' });
    expect(template.Resources.ProcessDashwebhooksDashhighLambdaFunction.Properties).toMatchObject({ ReservedConcurrentExecutions: 10 });
  });
});
