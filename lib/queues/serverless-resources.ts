import { loadQueueDefinitions, queuesFileFromEnv, type QueueChannel, type QueueDefinition, type QueueNaming } from './definitions';

/** CloudFormation logical id part for a queue name: `webhook-v2` -> `WebhookV2`. */
function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function channelIdPart(definition: QueueDefinition, channel: QueueChannel): string {
  return `${pascalCase(definition.name)}${channel.lane === null ? '' : pascalCase(channel.lane)}`;
}

export function queueLogicalId(definition: QueueDefinition, channel: QueueChannel = definition.channels[0] as QueueChannel): string {
  return `${channelIdPart(definition, channel)}Queue`;
}

export function deadLetterQueueLogicalId(definition: QueueDefinition, channel: QueueChannel = definition.channels[0] as QueueChannel): string {
  return `${channelIdPart(definition, channel)}DeadLetterQueue`;
}

/** Dead-letter queues keep messages for the SQS maximum of 14 days. */
const DEAD_LETTER_RETENTION_SECONDS = 1_209_600;

function channelsOf(definitions: QueueDefinition[]): { definition: QueueDefinition; channel: QueueChannel }[] {
  return definitions.flatMap((definition) => definition.channels.map((channel) => ({ definition, channel })));
}

/**
 * Builds one process function per queue and priority lane, with reserved concurrency equal to its
 * event source's maximum concurrency.
 */
export function buildProcessFunctions(definitions: QueueDefinition[]): Record<string, unknown> {
  return Object.fromEntries(
    channelsOf(definitions).map(({ definition, channel }) => [
      channel.functionName,
      {
        handler: 'functions/process.handler',
        description: `Runs the jobs of queue ${definition.name}${channel.lane === null ? '' : ` (lane ${channel.lane})`}`,
        timeout: definition.timeoutSeconds,
        reservedConcurrency: channel.reservedConcurrency,
        environment: { SLUICE_QUEUE: definition.name },
        events: [
          {
            sqs: {
              arn: { 'Fn::GetAtt': [queueLogicalId(definition, channel), 'Arn'] },
              batchSize: definition.batchSize,
              maximumBatchingWindow: definition.maximumBatchingWindowSeconds,
              functionResponseType: 'ReportBatchItemFailures',
              maximumConcurrency: channel.maxConcurrency,
            },
          },
        ],
      },
    ]),
  );
}

/** Builds the SQS queues and dead-letter queues of every queue and lane, with redrive policies, as CloudFormation resources. */
export function buildQueueResources(definitions: QueueDefinition[]): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  for (const { definition, channel } of channelsOf(definitions)) {
    resources[deadLetterQueueLogicalId(definition, channel)] = {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: channel.deadLetterSqsName, MessageRetentionPeriod: DEAD_LETTER_RETENTION_SECONDS },
    };
    resources[queueLogicalId(definition, channel)] = {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: channel.sqsName,
        VisibilityTimeout: definition.visibilityTimeoutSeconds,
        MessageRetentionPeriod: definition.messageRetentionSeconds,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueueLogicalId(definition, channel), 'Arn'] },
          maxReceiveCount: definition.maxReceiveCount,
        },
      },
    };
  }
  return { Resources: resources };
}

/** ARNs of every queue and lane, for the functions' IAM policy. */
export function buildQueueArns(definitions: QueueDefinition[]): unknown[] {
  return channelsOf(definitions).map(({ definition, channel }) => ({ 'Fn::GetAtt': [queueLogicalId(definition, channel), 'Arn'] }));
}

/** Entry point for serverless.yml: everything derived from the queue definitions for one service and stage. */
export function serverlessQueueConfig(naming: QueueNaming) {
  const definitions = loadQueueDefinitions(naming, queuesFileFromEnv());
  return {
    processFunctions: buildProcessFunctions(definitions),
    resources: buildQueueResources(definitions),
    queueArns: buildQueueArns(definitions),
  };
}
