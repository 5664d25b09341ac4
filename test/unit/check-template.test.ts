import { checkTemplate } from '../../lib/deploy/check-template';

interface TemplateOptions {
  visibility?: number;
  timeout?: number;
  window?: number;
  maximumConcurrency?: number;
  reserved?: number;
  redrive?: boolean;
  maxReceiveCount?: number;
  delay?: number;
  partial?: boolean;
  statements?: unknown[];
  openRoute?: boolean;
}

const sendToJobsQueue = { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': ['JobsQueue', 'Arn'] }] };

function template(overrides: TemplateOptions) {
  return {
    Resources: {
      JobsQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: {
          VisibilityTimeout: overrides.visibility ?? 180,
          ...(overrides.delay === undefined ? {} : { DelaySeconds: overrides.delay }),
          ...(overrides.redrive === false ? {} : { RedrivePolicy: { maxReceiveCount: overrides.maxReceiveCount ?? 5 } }),
        },
      },
      ProcessFunction: { Type: 'AWS::Lambda::Function', Properties: { Timeout: overrides.timeout ?? 30, ReservedConcurrentExecutions: overrides.reserved ?? 10 } },
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: { 'Fn::GetAtt': ['JobsQueue', 'Arn'] },
          FunctionName: { 'Fn::GetAtt': ['ProcessFunction', 'Arn'] },
          ...(overrides.window === undefined ? {} : { MaximumBatchingWindowInSeconds: overrides.window }),
          ...(overrides.maximumConcurrency === 0 ? {} : { ScalingConfig: { MaximumConcurrency: overrides.maximumConcurrency ?? 10 } }),
          FunctionResponseTypes: overrides.partial === false ? [] : ['ReportBatchItemFailures'],
        },
      },
      ProcessRole: {
        Type: 'AWS::IAM::Role',
        Properties: { Policies: [{ PolicyName: 'sluice', PolicyDocument: { Statement: overrides.statements ?? [sendToJobsQueue] } }] },
      },
      EnqueueRoute: {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: overrides.openRoute
          ? { RouteKey: 'POST /queues/{queue}/jobs', AuthorizationType: 'NONE' }
          : { RouteKey: 'POST /queues/{queue}/jobs', AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'HttpApiAuthorizerApiKey' } },
      },
    },
  };
}

describe('checkTemplate', () => {
  it('passes a template that follows the rules', () => {
    expect(checkTemplate(template({}))).toEqual([]);
  });

  it('rejects a visibility timeout under 6 times the function timeout', () => {
    expect(checkTemplate(template({ visibility: 179 }))).toEqual([expect.stringContaining('raise it to at least 180 s')]);
  });

  it('adds the batching window to the minimum visibility timeout', () => {
    expect(checkTemplate(template({ visibility: 180, window: 5 }))).toEqual([expect.stringContaining('raise it to at least 185 s')]);
  });

  it('rejects a missing maximum concurrency', () => {
    expect(checkTemplate(template({ maximumConcurrency: 0 }))).toEqual([expect.stringContaining('MaximumConcurrency is not set')]);
  });

  it('rejects maximum concurrency above reserved concurrency', () => {
    expect(checkTemplate(template({ reserved: 5 }))).toEqual([expect.stringContaining('MaximumConcurrency 10 is above the reserved concurrency (5)')]);
  });

  it('accepts reserved concurrency above maximum concurrency', () => {
    expect(checkTemplate(template({ reserved: 12 }))).toEqual([]);
  });

  it('rejects maximum concurrency below 2', () => {
    expect(checkTemplate(template({ maximumConcurrency: 1 }))).toEqual([expect.stringContaining('MaximumConcurrency 1 is below')]);
  });

  it('rejects a queue without a redrive policy', () => {
    expect(checkTemplate(template({ redrive: false }))).toEqual([expect.stringContaining('no RedrivePolicy')]);
  });

  it('rejects a maxReceiveCount below 5', () => {
    expect(checkTemplate(template({ maxReceiveCount: 4 }))).toEqual([expect.stringContaining('maxReceiveCount 4 is below 5')]);
  });

  it('rejects a queue delay above 900 s', () => {
    expect(checkTemplate(template({ delay: 901 }))).toEqual([expect.stringContaining('DelaySeconds 901')]);
  });

  it('rejects a mapping without partial batch responses', () => {
    expect(checkTemplate(template({ partial: false }))).toEqual([expect.stringContaining('ReportBatchItemFailures')]);
  });

  it.each([
    ['Resource "*"', { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: '*' }, 'Resource "*"'],
    ['a queue ARN pattern', { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: ['arn:aws:sqs:us-east-1:123456789012:sluice-*'] }, 'contains a wildcard'],
    ['a joined queue ARN pattern', { Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: { 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'sqs', 'us-east-1', '1', '*']] } }, 'contains a wildcard'],
    ['a secret ARN pattern', { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: ['arn:aws:secretsmanager:us-east-1:1:secret:*'] }, 'contains a wildcard'],
    ['every SQS action', { Effect: 'Allow', Action: ['sqs:*'], Resource: [{ 'Fn::GetAtt': ['JobsQueue', 'Arn'] }] }, 'allows every action'],
    ['Resource "*" for another service', { Effect: 'Allow', Action: ['ec2:CreateNetworkInterface'], Resource: ['*'] }, 'Resource "*"'],
  ])('rejects an IAM statement with %s', (_case, statement, expected) => {
    expect(checkTemplate(template({ statements: [statement] }))).toEqual([expect.stringContaining(expected)]);
  });

  it('accepts a log group pattern', () => {
    const logs = { Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [{ 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/sluice-dev-*:*' }] };
    expect(checkTemplate(template({ statements: [logs, sendToJobsQueue] }))).toEqual([]);
  });

  it('rejects an HTTP route without the authorizer', () => {
    expect(checkTemplate(template({ openRoute: true }))).toEqual([expect.stringContaining('EnqueueRoute (POST /queues/{queue}/jobs): the route has no Lambda authorizer')]);
  });

  it('accepts the public dashboard routes without the authorizer', () => {
    const base = template({});
    const withDashboard = {
      Resources: {
        ...base.Resources,
        DashboardRoute: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'GET /dashboard', AuthorizationType: 'NONE' } },
        DashboardAssetRoute: { Type: 'AWS::ApiGatewayV2::Route', Properties: { RouteKey: 'GET /dashboard/{asset}', AuthorizationType: 'NONE' } },
      },
    };
    expect(checkTemplate(withDashboard)).toEqual([]);
  });
});
