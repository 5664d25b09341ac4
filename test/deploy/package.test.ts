import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { checkTemplate } from '../../lib/deploy/check-template';
import { readZip } from '../support/zip';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

jest.setTimeout(180_000);

type Resource = { Type: string; Properties: Record<string, any> };

describe('serverless package', () => {
  let outputDir: string;
  let resources: Record<string, Resource>;
  let template: { Resources: Record<string, Resource> };

  beforeAll(async () => {
    outputDir = mkdtempSync(join(tmpdir(), 'sluice-package-'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      AWS_SDK_LOAD_CONFIG: '0',
      HOME: outputDir,
      SLUICE_TRIGGERS_FILE: join(root, 'test', 'fixtures', 'triggers.json'),
      SLUICE_VPC_SUBNET_IDS: 'subnet-0a1,subnet-0b2',
      SLUICE_VPC_SECURITY_GROUP_IDS: 'sg-0c3',
      MONGODB_URI_PARAMETER: '/sluice/ci/mongodb-uri',
      REDIS_PASSWORD_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:sluice-redis-AbCdEf',
    };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'SLUICE_QUEUES_FILE', 'MONGODB_URI']) {
      delete env[name];
    }
    await run(process.execPath, [join(root, 'node_modules', 'osls', 'bin', 'serverless.js'), 'package', '--stage', 'ci', '--package', outputDir], { cwd: root, env });
    template = JSON.parse(readFileSync(join(outputDir, 'cloudformation-template-update-stack.json'), 'utf8'));
    resources = template.Resources;
  });

  afterAll(() => {
    rmSync(outputDir, { recursive: true, force: true });
  });

  const functionNames = [
    ...['authorizer', 'enqueue', 'enqueueBatch', 'getJob', 'queueStats', 'listJobs', 'cancelJob', 'retryJob', 'dispatch', 'process-default', 'process-webhooks', 'process-webhooks-high'],
    ...['createSchedule', 'getSchedule', 'pauseSchedule', 'resumeSchedule', 'deleteSchedule', 'listQueues', 'dashboard'],
    ...['trigger-order-placed', 'trigger-invoice-events', 'trigger-uploads'],
  ];

  it('writes one minified bundle with a source map per function', () => {
    for (const name of functionNames) {
      expect(existsSync(join(outputDir, `${name}.zip`))).toBe(true);
    }
    const files = readZip(join(outputDir, 'getJob.zip'));
    expect([...files.keys()].sort()).toEqual(['functions/jobs-api.js', 'functions/jobs-api.js.map']);
    const bundle = files.get('functions/jobs-api.js')?.toString('utf8') ?? '';
    // Minified: far fewer lines than characters.
    expect(bundle.split('\n').length).toBeLessThan(bundle.length / 500);
    // Tree-shaken and split per function: the jobs API bundle carries no trigger or dispatch code.
    expect(bundle).not.toContain('malformed event dropped');
    // Class names survive minification: jobs store lastError.name.
    const processBundle = readZip(join(outputDir, 'process-default.zip')).get('functions/process.js')?.toString('utf8') ?? '';
    expect(processBundle).toContain('"PermanentJobError"');
  });

  it('passes the template check', () => {
    expect(checkTemplate(template)).toEqual([]);
  });

  it('sets the event source maximum concurrency and reserved concurrency together', () => {
    const mappings = Object.values(resources).filter((resource) => resource.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(3);
    for (const mapping of mappings) {
      expect(mapping.Properties.ScalingConfig.MaximumConcurrency).toBeGreaterThanOrEqual(2);
      expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
    expect(resources.ProcessDashdefaultLambdaFunction?.Properties).toMatchObject({
      Runtime: 'nodejs22.x',
      ReservedConcurrentExecutions: 10,
      MemorySize: 512,
      Environment: { Variables: expect.objectContaining({ SLUICE_QUEUE: 'default', SLUICE_STAGE: 'ci', MONGODB_URI_PARAMETER: '/sluice/ci/mongodb-uri' }) },
      VpcConfig: { SubnetIds: ['subnet-0a1', 'subnet-0b2'], SecurityGroupIds: ['sg-0c3'] },
    });
    expect(resources.ProcessDashwebhooksDashhighLambdaFunction?.Properties).toMatchObject({ ReservedConcurrentExecutions: 10 });
  });

  it('gives every queue a dead-letter queue through a redrive policy', () => {
    for (const [queueId, deadLetterId] of [['DefaultQueue', 'DefaultDeadLetterQueue'], ['WebhooksQueue', 'WebhooksDeadLetterQueue'], ['WebhooksHighQueue', 'WebhooksHighDeadLetterQueue']]) {
      expect(resources[queueId as string]?.Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterId, 'Arn'] }, maxReceiveCount: 5 });
    }
    expect(resources.DefaultQueue?.Properties).toMatchObject({ QueueName: 'sluice-ci-default', VisibilityTimeout: 180, DelaySeconds: 0 });
  });

  it('gives each function a role that names its own queues', () => {
    const roleOf = (functionId: string) => (resources[functionId]?.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] as string;
    const sqsResources = (roleId: string) =>
      (resources[roleId]?.Properties.Policies[0].PolicyDocument.Statement as { Action: string[]; Resource: unknown[] }[])
        .filter((statement) => statement.Action.some((action) => action.startsWith('sqs:')))
        .flatMap((statement) => statement.Resource);
    const queueArn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

    expect(resources.IamRoleLambdaExecution).toBeUndefined();
    expect(roleOf('GetJobLambdaFunction')).toBe('SluiceApiRole');
    expect(sqsResources('SluiceApiRole')).toEqual([]);
    expect(roleOf('EnqueueLambdaFunction')).toBe('SluiceProducerRole');
    expect(roleOf('DispatchLambdaFunction')).toBe('SluiceProducerRole');
    expect(sqsResources('SluiceProducerRole')).toEqual([queueArn('DefaultQueue'), queueArn('WebhooksQueue'), queueArn('WebhooksHighQueue')]);
    expect(roleOf('ProcessDashdefaultLambdaFunction')).toBe('DefaultProcessRole');
    expect(sqsResources('DefaultProcessRole')).toEqual([queueArn('DefaultQueue')]);
    expect(sqsResources('WebhooksHighProcessRole')).toEqual([queueArn('WebhooksQueue'), queueArn('WebhooksHighQueue')]);
    expect(roleOf('TriggerDashuploadsLambdaFunction')).toBe('TriggerUploadsRole');
    expect(sqsResources('TriggerUploadsRole')).toEqual([queueArn('DefaultQueue'), queueArn('TriggerFailuresQueue')]);
  });

  it('lets the roles read only the named parameter and secret', () => {
    const statements = resources.SluiceApiRole?.Properties.Policies[0].PolicyDocument.Statement as { Action: string[]; Resource: unknown[] }[];
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/sluice/ci/mongodb-uri' }],
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: ['arn:aws:secretsmanager:us-east-1:123456789012:secret:sluice-redis-AbCdEf'],
    });
    expect(resources.SluiceApiRole?.Properties.ManagedPolicyArns).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole' },
    ]);
  });

  it('wires the triggers with retries and an on-failure queue', () => {
    const rule = Object.values(resources).find((resource) => resource.Type === 'AWS::Events::Rule' && resource.Properties.EventPattern !== undefined);
    expect(rule?.Properties.EventPattern).toEqual({ source: ['shop.orders'], 'detail-type': ['OrderPlaced'] });
    expect(resources.SNSTopicSluiceinvoices?.Properties.TopicName).toBe('sluice-invoices');
    const subscription = Object.values(resources).find((resource) => resource.Type === 'AWS::SNS::Subscription');
    expect(subscription?.Properties.FilterPolicy).toEqual({ kind: ['invoice'] });
    const s3 = Object.values(resources).find((resource) => resource.Type === 'Custom::S3');
    expect(s3?.Properties).toMatchObject({ BucketName: 'sluice-test-uploads' });
    expect(s3?.Properties.BucketConfigs[0].Event).toBe('s3:ObjectCreated:*');
    expect(s3?.Properties.BucketConfigs[0].Rules).toEqual([{ Prefix: 'incoming/' }, { Suffix: '.csv' }]);
    for (const name of ['TriggerDashorderDashplaced', 'TriggerDashinvoiceDashevents', 'TriggerDashuploads']) {
      expect(resources[`${name}LambdaEvConf`]?.Properties).toMatchObject({
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['TriggerFailuresQueue', 'Arn'] } } },
      });
      expect(resources[`${name}LambdaFunction`]?.Properties.Environment.Variables.SLUICE_TRIGGER).toBeDefined();
    }
  });

  it('puts the API key authorizer on every route but the public dashboard', () => {
    const routes = Object.values(resources).filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Route');
    expect(routes).toHaveLength(15);
    const open = routes.filter((route) => route.Properties.AuthorizationType !== 'CUSTOM').map((route) => route.Properties.RouteKey);
    expect(open.sort()).toEqual(['GET /dashboard', 'GET /dashboard/{asset}']);
    const authorizers = Object.values(resources).filter((resource) => resource.Type === 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizers).toEqual([
      expect.objectContaining({
        Properties: expect.objectContaining({ AuthorizerType: 'REQUEST', IdentitySource: ['$request.header.Authorization'], AuthorizerResultTtlInSeconds: 60, EnableSimpleResponses: true }),
      }),
    ]);
  });
});
