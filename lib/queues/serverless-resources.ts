import { buildRole, PROCESS_QUEUE_ACTIONS, queueStatement, roleSettingsFromEnv, SEND_QUEUE_ACTIONS, type RoleSettings } from '../deploy/iam-roles';
import { readDeployEnv } from '../deploy/deploy-env';
import { buildTriggerFunctions, buildTriggerResources } from '../deploy/trigger-functions';
import { createJobTypeRegistry } from '../jobs/types';
import { DEFAULT_TRIGGERS_FILE, parseTriggerDefinitions, readTriggersFile, triggersFileFromEnv, type TriggerDefinition } from '../triggers/definitions';
import { loadQueueDefinitions, queuesFileFromEnv, type QueueChannel, type QueueDefinition, type QueueNaming } from './definitions';

/** Role of the functions that only read and write MongoDB and Redis (the default role of serverless.yml). */
export const API_ROLE_ID = 'SluiceApiRole';
/** Role of the functions that send jobs to every queue: enqueue, retry and dispatch. */
export const PRODUCER_ROLE_ID = 'SluiceProducerRole';

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

export function processRoleId(definition: QueueDefinition, channel: QueueChannel): string {
  return `${channelIdPart(definition, channel)}ProcessRole`;
}

/** Logical ids of the SQS queues of every lane of one queue. */
function channelQueueIds(definition: QueueDefinition): string[] {
  return definition.channels.map((channel) => queueLogicalId(definition, channel));
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
        memorySize: definition.memorySize,
        role: processRoleId(definition, channel),
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
export function buildQueueResources(definitions: QueueDefinition[]): { Resources: Record<string, unknown> } {
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
        DelaySeconds: definition.delaySeconds,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [deadLetterQueueLogicalId(definition, channel), 'Arn'] },
          maxReceiveCount: definition.maxReceiveCount,
        },
      },
    };
  }
  return { Resources: resources };
}

/**
 * Builds the functions' roles: the API role (no queue), the producer role (send to every queue)
 * and one role per process function, which reads its own queue and sends to its queue's lanes.
 */
export function buildRoleResources(definitions: QueueDefinition[], roleSettings: RoleSettings): Record<string, unknown> {
  const allQueueIds = definitions.flatMap(channelQueueIds);
  const resources: Record<string, unknown> = {
    [API_ROLE_ID]: buildRole('Sluice HTTP API functions: MongoDB and Redis only', [], roleSettings),
    [PRODUCER_ROLE_ID]: buildRole('Sluice functions that send jobs to every queue', [queueStatement(SEND_QUEUE_ACTIONS, allQueueIds)], roleSettings),
  };
  for (const { definition, channel } of channelsOf(definitions)) {
    resources[processRoleId(definition, channel)] = buildRole(
      `Sluice process function ${channel.functionName}`,
      [queueStatement(PROCESS_QUEUE_ACTIONS, channelQueueIds(definition))],
      roleSettings,
    );
  }
  return resources;
}

/** VPC settings for serverless.yml from SLUICE_VPC_SUBNET_IDS and SLUICE_VPC_SECURITY_GROUP_IDS, or none when they are unset. */
export function vpcFromEnv(env: NodeJS.ProcessEnv = process.env): { subnetIds: string[]; securityGroupIds: string[] } | undefined {
  const deploy = readDeployEnv(env);
  if (!deploy.SLUICE_VPC_SUBNET_IDS || !deploy.SLUICE_VPC_SECURITY_GROUP_IDS) {
    return undefined;
  }
  return { subnetIds: deploy.SLUICE_VPC_SUBNET_IDS, securityGroupIds: deploy.SLUICE_VPC_SECURITY_GROUP_IDS };
}

function loadTriggers(definitions: QueueDefinition[]): TriggerDefinition[] {
  const file = triggersFileFromEnv() ?? DEFAULT_TRIGGERS_FILE;
  const known = { queues: definitions.map((definition) => definition.name), jobTypes: createJobTypeRegistry().names() };
  return parseTriggerDefinitions(readTriggersFile(file), known, file);
}

/** Entry point for serverless.yml: everything derived from the queue and trigger definitions for one service and stage. */
export function serverlessQueueConfig(naming: QueueNaming) {
  const definitions = loadQueueDefinitions(naming, queuesFileFromEnv());
  const triggers = loadTriggers(definitions);
  const roleSettings = roleSettingsFromEnv(naming);
  const queueResources = buildQueueResources(definitions).Resources;
  return {
    processFunctions: buildProcessFunctions(definitions),
    triggerFunctions: buildTriggerFunctions(triggers),
    resources: {
      Resources: {
        ...queueResources,
        ...buildRoleResources(definitions, roleSettings),
        ...buildTriggerResources(triggers, definitions, channelQueueIds, naming, roleSettings),
      },
    },
    vpc: vpcFromEnv() ?? null,
  };
}
