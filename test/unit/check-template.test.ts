import { checkTemplate } from '../../lib/deploy/check-template';

function template(overrides: { visibility?: number; timeout?: number; maximumConcurrency?: number; reserved?: number; redrive?: boolean; partial?: boolean; openRoute?: boolean }) {
  return {
    Resources: {
      JobsQueue: {
        Type: 'AWS::SQS::Queue',
        Properties: { VisibilityTimeout: overrides.visibility ?? 180, ...(overrides.redrive === false ? {} : { RedrivePolicy: { maxReceiveCount: 5 } }) },
      },
      ProcessFunction: { Type: 'AWS::Lambda::Function', Properties: { Timeout: overrides.timeout ?? 30, ReservedConcurrentExecutions: overrides.reserved ?? 10 } },
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: { 'Fn::GetAtt': ['JobsQueue', 'Arn'] },
          FunctionName: { 'Fn::GetAtt': ['ProcessFunction', 'Arn'] },
          ...(overrides.maximumConcurrency === 0 ? {} : { ScalingConfig: { MaximumConcurrency: overrides.maximumConcurrency ?? 10 } }),
          FunctionResponseTypes: overrides.partial === false ? [] : ['ReportBatchItemFailures'],
        },
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

  it('rejects a missing maximum concurrency', () => {
    expect(checkTemplate(template({ maximumConcurrency: 0 }))).toEqual([expect.stringContaining('MaximumConcurrency is not set')]);
  });

  it('rejects maximum concurrency that differs from reserved concurrency', () => {
    expect(checkTemplate(template({ reserved: 5 }))).toEqual([expect.stringContaining('differs from the reserved concurrency (5)')]);
  });

  it('rejects a queue without a redrive policy', () => {
    expect(checkTemplate(template({ redrive: false }))).toEqual([expect.stringContaining('no RedrivePolicy')]);
  });

  it('rejects a mapping without partial batch responses', () => {
    expect(checkTemplate(template({ partial: false }))).toEqual([expect.stringContaining('ReportBatchItemFailures')]);
  });

  it('rejects an HTTP route without the authorizer', () => {
    expect(checkTemplate(template({ openRoute: true }))).toEqual([expect.stringContaining('EnqueueRoute (POST /queues/{queue}/jobs): the route has no Lambda authorizer')]);
  });
});
