import type { Logger } from '@aws-lambda-powertools/logger';
import type { Services } from '../clients';
import { enqueueJob } from '../enqueue/enqueue';
import { RequestError } from '../errors';
import { countMetric, JobMetric } from '../observability/metrics';
import type { TriggerDefinition } from './definitions';
import { MalformedEventError } from './errors';
import { eventRecords, type EventRecord, type MalformedRecord } from './event-records';
import { renderPayload } from './payload-template';

/** Counts of the jobs one event produced. */
export interface TriggerOutcome {
  /** Jobs created by this call. */
  enqueued: number;
  /** Records whose job an earlier delivery of the same event already created. */
  existing: number;
  /** Records (or whole events) dropped because they can never become a job. */
  malformed: number;
}

/** Describes why an event was dropped without quoting its contents, because job validation messages can quote values. */
function describeMalformed(error: MalformedEventError | RequestError): { reason: string; fields?: string[] } {
  if (error instanceof RequestError) {
    return { reason: 'the mapped job is invalid', fields: error.problems.map((problem) => problem.field) };
  }
  return { reason: error.message };
}

function isMalformed(error: unknown): error is MalformedEventError | RequestError {
  return error instanceof MalformedEventError || error instanceof RequestError;
}

async function enqueueRecord(services: Services, trigger: TriggerDefinition, record: EventRecord): Promise<boolean> {
  const request = {
    type: trigger.jobType,
    payload: renderPayload(trigger.payload, record.document),
    // A redelivered event (Lambda retries asynchronous invocations) maps to the job it created before.
    idempotencyKey: `${trigger.name}:${record.id}`,
    ...(trigger.priority === undefined ? {} : { priority: trigger.priority }),
    ...(trigger.delaySeconds === undefined ? {} : { delaySeconds: trigger.delaySeconds }),
    ...(trigger.maxAttempts === undefined ? {} : { maxAttempts: trigger.maxAttempts }),
  };
  const job = await enqueueJob(services, trigger.queue, request);
  return job.existing !== true;
}

/**
 * Enqueues one job per record of an EventBridge, SNS or S3 event, mapped by the trigger's payload
 * template. An event or record that can never become a job is logged (reason and field names,
 * never contents), counted as `MalformedEvents` and skipped, so Lambda does not retry it. Any
 * other error (MongoDB or SQS unreachable) is thrown, so Lambda retries the event. The records
 * enqueued before the error are not enqueued twice, because each job's idempotency key is the
 * trigger name and the record id.
 */
export async function handleTriggerEvent(services: Services, trigger: TriggerDefinition, event: unknown, logger: Logger): Promise<TriggerOutcome> {
  const outcome: TriggerOutcome = { enqueued: 0, existing: 0, malformed: 0 };
  let records: (EventRecord | MalformedRecord)[];
  try {
    records = eventRecords(trigger, event);
  } catch (error) {
    if (!(error instanceof MalformedEventError)) throw error;
    logger.warn('malformed event dropped', { trigger: trigger.name, ...describeMalformed(error) });
    countMetric(JobMetric.malformedEvents);
    return { ...outcome, malformed: 1 };
  }

  for (const record of records) {
    if ('error' in record) {
      logger.warn('malformed event record dropped', { trigger: trigger.name, recordId: record.id, ...describeMalformed(record.error) });
      countMetric(JobMetric.malformedEvents);
      outcome.malformed += 1;
      continue;
    }
    try {
      if (await enqueueRecord(services, trigger, record)) {
        outcome.enqueued += 1;
      } else {
        outcome.existing += 1;
      }
    } catch (error) {
      if (!isMalformed(error)) throw error;
      logger.warn('malformed event record dropped', { trigger: trigger.name, recordId: record.id, ...describeMalformed(error) });
      countMetric(JobMetric.malformedEvents);
      outcome.malformed += 1;
    }
  }
  logger.info('event enqueued', { trigger: trigger.name, queue: trigger.queue, ...outcome });
  return outcome;
}
