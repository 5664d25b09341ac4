import type { QueueDefinition } from '../queues/definitions';
import type { TriggerDefinition } from '../triggers/definitions';
import { arnOf, buildRole, queueStatement, SEND_QUEUE_ACTIONS, type RoleSettings } from './iam-roles';

/** Logical id of the SQS queue that receives the events a trigger function failed on after its retries. */
export const TRIGGER_FAILURES_QUEUE_ID = 'TriggerFailuresQueue';
/** Lambda retries a failed asynchronous invocation twice (its maximum), then sends the event to the failures queue. */
const TRIGGER_RETRY_ATTEMPTS = 2;
/** Events older than this are not retried any more: 1 hour. */
const TRIGGER_MAX_EVENT_AGE_SECONDS = 3600;
const TRIGGER_TIMEOUT_SECONDS = 30;
/** The failures queue keeps events for the SQS maximum of 14 days, for inspection and replay. */
const FAILURES_RETENTION_SECONDS = 1_209_600;

function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export function triggerRoleId(trigger: TriggerDefinition): string {
  return `Trigger${pascalCase(trigger.name)}Role`;
}

/** Builds the serverless.yml event of a trigger. */
function triggerEvent(trigger: TriggerDefinition): Record<string, unknown> {
  const source = trigger.source;
  if ('eventBridge' in source) {
    return { eventBridge: { ...(source.eventBridge.eventBus ? { eventBus: source.eventBridge.eventBus } : {}), pattern: source.eventBridge.pattern } };
  }
  if ('sns' in source) {
    const { topicName, arn, filterPolicy } = source.sns;
    return { sns: { ...(arn ? { arn } : { topicName }), ...(filterPolicy ? { filterPolicy } : {}) } };
  }
  const { bucket, existing, prefix, suffix } = source.s3;
  const rules = [...(prefix ? [{ prefix }] : []), ...(suffix ? [{ suffix }] : [])];
  return { s3: { bucket, event: 's3:ObjectCreated:*', existing, ...(rules.length > 0 ? { rules } : {}) } };
}

/**
 * Builds one function per trigger. Its events arrive asynchronously, so Lambda retries a failed
 * invocation {@link TRIGGER_RETRY_ATTEMPTS} times and then sends the event to the failures queue;
 * malformed events return normally and are never retried.
 */
export function buildTriggerFunctions(triggers: TriggerDefinition[]): Record<string, unknown> {
  return Object.fromEntries(
    triggers.map((trigger) => [
      trigger.functionName,
      {
        handler: 'functions/trigger.handler',
        description: `Enqueues ${trigger.jobType} jobs on queue ${trigger.queue} from ${trigger.kind} events (trigger ${trigger.name})`,
        timeout: TRIGGER_TIMEOUT_SECONDS,
        role: triggerRoleId(trigger),
        environment: { SLUICE_TRIGGER: trigger.name },
        maximumRetryAttempts: TRIGGER_RETRY_ATTEMPTS,
        maximumEventAge: TRIGGER_MAX_EVENT_AGE_SECONDS,
        destinations: { onFailure: { type: 'sqs', arn: arnOf(TRIGGER_FAILURES_QUEUE_ID) } },
        events: [triggerEvent(trigger)],
      },
    ]),
  );
}

/** Builds the failures queue and each trigger's role: send to its queue's channels and to the failures queue. */
export function buildTriggerResources(
  triggers: TriggerDefinition[],
  queues: QueueDefinition[],
  queueIdsOf: (queue: QueueDefinition) => string[],
  naming: { service: string; stage: string },
  roleSettings: RoleSettings,
): Record<string, unknown> {
  if (triggers.length === 0) {
    return {};
  }
  const resources: Record<string, unknown> = {
    [TRIGGER_FAILURES_QUEUE_ID]: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: `${naming.service}-${naming.stage}-trigger-failures`, MessageRetentionPeriod: FAILURES_RETENTION_SECONDS },
    },
  };
  for (const trigger of triggers) {
    const queue = queues.find((candidate) => candidate.name === trigger.queue) as QueueDefinition;
    resources[triggerRoleId(trigger)] = buildRole(
      `Trigger ${trigger.name}: enqueues on queue ${trigger.queue}`,
      [queueStatement(SEND_QUEUE_ACTIONS, queueIdsOf(queue)), queueStatement(['sqs:SendMessage'], [TRIGGER_FAILURES_QUEUE_ID])],
      roleSettings,
    );
  }
  return resources;
}
