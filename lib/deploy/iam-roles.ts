import { readDeployEnv } from './deploy-env';

/**
 * IAM roles of the functions, one per kind of access, as CloudFormation resources. Each names the
 * queues and secrets it may use one by one: no wildcard on an SQS, SSM or Secrets Manager resource.
 */

/** A CloudFormation value: a literal or an intrinsic function such as Fn::GetAtt. */
type CfnValue = string | Record<string, unknown>;

interface Statement {
  Effect: 'Allow';
  Action: string[];
  Resource: CfnValue[];
}

/** Deployment settings that shape every role: the names of the log groups, secrets and the VPC. */
export interface RoleSettings {
  service: string;
  stage: string;
  /** SSM parameter names (MONGODB_URI_PARAMETER, REDIS_PASSWORD_PARAMETER) the functions read. */
  parameterNames: string[];
  /** Secrets Manager ARNs (MONGODB_URI_SECRET_ARN, REDIS_PASSWORD_SECRET_ARN) the functions read. */
  secretArns: string[];
  /** Customer-managed KMS key of those secrets, when they do not use the AWS-managed key. */
  kmsKeyArn?: string;
  /** Whether the functions run in a VPC (they then need to manage their network interfaces). */
  vpc: boolean;
}

/** Actions of a process function on its own queues: the event source reads, the worker re-sends. */
export const PROCESS_QUEUE_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'];
/** Actions of a function that enqueues or re-sends jobs. */
export const SEND_QUEUE_ACTIONS = ['sqs:SendMessage', 'sqs:GetQueueUrl'];

/** AWS-managed policy that lets a function in a VPC create and delete its network interfaces. */
const VPC_ACCESS_POLICY_ARN = { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole' };

/** Returns the ARN of a template resource, as `{ Fn::GetAtt: [logicalId, Arn] }`. */
export function arnOf(logicalId: string): Record<string, unknown> {
  return { 'Fn::GetAtt': [logicalId, 'Arn'] };
}

function logStatement(settings: RoleSettings): Statement {
  // The functions' log groups are /aws/lambda/<service>-<stage>-<function>; `:*` covers their log streams.
  return {
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${settings.service}-${settings.stage}-*:*` }],
  };
}

function secretStatements(settings: RoleSettings): Statement[] {
  const statements: Statement[] = [];
  if (settings.parameterNames.length > 0) {
    statements.push({
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: settings.parameterNames.map((name) => ({
        'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${name.replace(/^\//, '')}`,
      })),
    });
  }
  if (settings.secretArns.length > 0) {
    statements.push({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: settings.secretArns });
  }
  if (settings.kmsKeyArn) {
    statements.push({ Effect: 'Allow', Action: ['kms:Decrypt'], Resource: [settings.kmsKeyArn] });
  }
  return statements;
}

/** Builds one role resource with the logs and secrets statements every function needs, plus `statements`. */
export function buildRole(description: string, statements: Statement[], settings: RoleSettings): Record<string, unknown> {
  return {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: description,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
      },
      ...(settings.vpc ? { ManagedPolicyArns: [VPC_ACCESS_POLICY_ARN] } : {}),
      Policies: [
        {
          PolicyName: 'sluice',
          PolicyDocument: { Version: '2012-10-17', Statement: [logStatement(settings), ...secretStatements(settings), ...statements] },
        },
      ],
    },
  };
}

/** Statement that allows `actions` on the queues with the given logical ids. */
export function queueStatement(actions: string[], queueLogicalIds: string[]): Statement {
  return { Effect: 'Allow', Action: actions, Resource: queueLogicalIds.map(arnOf) };
}

/** Builds the role settings from the deployment variables and the functions' secret references. */
export function roleSettingsFromEnv(naming: { service: string; stage: string }, env: NodeJS.ProcessEnv = process.env): RoleSettings {
  const deploy = readDeployEnv(env);
  const value = (name: string) => env[name]?.trim() || undefined;
  const parameterNames = ['MONGODB_URI_PARAMETER', 'REDIS_PASSWORD_PARAMETER'].map(value).filter((name): name is string => name !== undefined);
  const secretArns = ['MONGODB_URI_SECRET_ARN', 'REDIS_PASSWORD_SECRET_ARN'].map(value).filter((arn): arn is string => arn !== undefined);
  return {
    ...naming,
    parameterNames,
    secretArns,
    ...(deploy.SLUICE_SECRETS_KMS_KEY_ARN ? { kmsKeyArn: deploy.SLUICE_SECRETS_KMS_KEY_ARN } : {}),
    vpc: (deploy.SLUICE_VPC_SUBNET_IDS?.length ?? 0) > 0,
  };
}
