import { loadQueueDefinitions, queuesFileFromEnv, type QueueDefinition, type QueueNaming } from './definitions';

/** CloudFormation logical id part for a queue name: `webhook-v2` -> `WebhookV2`. */
function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export function queueLogicalId(definition: QueueDefinition): string {
  return `${pascalCase(definition.name)}Queue`;
}

export function deadLetterQueueLogicalId(definition: QueueDefinition): string {
  return `${pascalCase(definition.name)}DeadLetterQueue`;
}

/** Dead-letter queues keep messages for the SQS maximum of 14 days. */
const DEAD_LETTER_RETENTION_SECONDS = 1_209_600;

/** One process function per queue, with reserved concurrency equal to its event source's maximum concurrency. */
export function buildProcessFunctions(definitions: QueueDefinition[]): Record<string, unknown> {
  return Object.fromEntries(
    definitions.map((definition) => [
      definition.functionName,
      {
        handler: 'functions/process.handler',
        description: `Runs the jobs of queue ${definition.name}`,
        timeout: definition.timeoutSeconds,
        reservedConcurrency: definition.reservedConcurrency,
        environment: { SLUICE_QUEUE: definition.name },
        events: [
          {
            sqs: {
              arn: { 'Fn::GetAtt': [queueLogicalId(definition), 'Arn'] },
              batchSize: definition.batchSize,
              maximumBatchingWindow: definition.maximumBatchingWindowSeconds,
              functionResponseType: 'ReportBatchItemFailures',
              maximumConcurrency: definition.maxConcurrency,
            },
          },
        ],
      },
    ]),
  );
}

/** Builds the SQS queues and dead-letter queues, with redrive policies, as CloudFormation resources. */
export function buildQueueResources(definitions: QueueDefinition[]): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const definition of definitions) {
    resources[deadLetterQueueLogicalId(definition)] = {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: definition.deadLetterSqsName, MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS },
    };
    resources[queueLogicalId(definition)] = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: definition.sqsName,
        VisibilityTimeout: definition.visibilityTimeoutSeconds,
        MessageRetentionPeriod: definition.messageRetentionSeconds,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueueLogicalId(definition), 'Arn'] },
          maxReceiveCount: definition.maxReceiveCount,
        },
      },
    };
  }
  return { Resources: resources };
}

/** ARNs of every queue, for the functions' IAM policy. */
export function buildQueueArns(definitions: QueueDefinition[]): unknown[] {
  return definitions.map((definition) => ({ 'Fn::GetAtt': [queueLogicalId(definition), 'Arn'] }));
}

/** Entry point for serverless.yml: everything derived from queues.json for one service and stage. */
export function serverlessQueueConfig(naming: QueueNaming) {
  const definitions = loadQueueDefinitions(naming, queuesFileFromEnv());
  return {
    processFunctions: buildProcessFunctions(definitions),
    resources: buildQueueResources(definitions),
    queueArns: buildQueueArns(definitions),
  };
}
