import { createHash } from 'node:crypto';
import type { EventBridgeEvent, S3Event, SNSEvent } from 'aws-lambda';
import { TriggerKind, type TriggerDefinition } from './definitions';
import { MalformedEventError } from './errors';

/** One unit of an event that becomes one job: its stable id and the document the payload template reads. */
export interface EventRecord {
  /** Stable across redeliveries of the same event, so it makes the job's idempotency key. */
  id: string;
  document: Record<string, unknown>;
}

/** A record of a multi-record event that can never become a job; the event's other records still can. */
export interface MalformedRecord {
  /** The record's position in the event, such as `Records.2`. */
  id: string;
  error: MalformedEventError;
}

/** Converts each record on its own, so one malformed record does not drop the others. */
function convertEach<T>(records: T[], convert: (record: T, index: number) => EventRecord): (EventRecord | MalformedRecord)[] {
  return records.map((record, index) => {
    try {
      return convert(record, index);
    } catch (error) {
      if (!(error instanceof MalformedEventError)) throw error;
      return { id: `Records.${index}`, error };
    }
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new MalformedEventError(`${field} is missing or not a string`);
  }
  return value;
}

/** Returns an EventBridge event as one record: the whole event (`detail`, `source`, `detail-type`, `time`, ...). */
function eventBridgeRecords(event: unknown): EventRecord[] {
  if (!isObject(event) || !isObject(event.detail)) {
    throw new MalformedEventError('the event is not an EventBridge event with a detail object');
  }
  const typed = event as unknown as EventBridgeEvent<string, unknown>;
  return [{ id: requireString(typed.id, 'id'), document: event }];
}

/**
 * Converts each SNS record to one record: `{ message, subject, messageId, topicArn, timestamp, messageAttributes }`,
 * with `message` parsed as JSON unless the trigger's messageFormat is `text`.
 */
function snsRecords(event: unknown, messageFormat: 'json' | 'text'): (EventRecord | MalformedRecord)[] {
  if (!isObject(event) || !Array.isArray(event.Records)) {
    throw new MalformedEventError('the event is not an SNS event with Records');
  }
  return convertEach((event as unknown as SNSEvent).Records, (record, index) => {
    const sns = record?.Sns;
    if (!isObject(sns)) {
      throw new MalformedEventError(`Records.${index}.Sns is missing`);
    }
    const messageId = requireString(sns.MessageId, `Records.${index}.Sns.MessageId`);
    const raw = requireString(sns.Message, `Records.${index}.Sns.Message`);
    let message: unknown = raw;
    if (messageFormat === 'json') {
      try {
        message = JSON.parse(raw);
      } catch {
        throw new MalformedEventError(`Records.${index}.Sns.Message is not JSON; send JSON or set the trigger's messageFormat to "text"`);
      }
    }
    const attributes = Object.fromEntries(Object.entries(sns.MessageAttributes ?? {}).map(([name, attribute]) => [name, attribute?.Value]));
    return {
      id: messageId,
      document: { message, subject: sns.Subject ?? null, messageId, topicArn: sns.TopicArn, timestamp: sns.Timestamp, messageAttributes: attributes },
    };
  });
}

/**
 * Converts each S3 record to one record: `{ bucket, key, size, eTag, versionId, eventName, eventTime, sequencer }`,
 * with the key URL-decoded (S3 sends it form-encoded: `+` for spaces).
 */
function s3Records(event: unknown): (EventRecord | MalformedRecord)[] {
  if (!isObject(event) || !Array.isArray(event.Records)) {
    throw new MalformedEventError('the event is not an S3 event with Records');
  }
  return convertEach((event as unknown as S3Event).Records, (record, index) => {
    const s3 = record?.s3;
    if (!isObject(s3) || !isObject(s3.bucket) || !isObject(s3.object)) {
      throw new MalformedEventError(`Records.${index}.s3 lacks bucket or object`);
    }
    const bucket = requireString(s3.bucket.name, `Records.${index}.s3.bucket.name`);
    const encodedKey = requireString(s3.object.key, `Records.${index}.s3.object.key`);
    let key: string;
    try {
      key = decodeURIComponent(encodedKey.replace(/\+/g, ' '));
    } catch {
      throw new MalformedEventError(`Records.${index}.s3.object.key is not URL-encoded`);
    }
    const versionId = s3.object.versionId ?? null;
    const sequencer = s3.object.sequencer ?? null;
    // The sequencer orders events of one key, so bucket, key, version and sequencer identify one notification.
    const id = createHash('sha256').update(JSON.stringify([bucket, key, versionId, sequencer])).digest('hex').slice(0, 40);
    return {
      id,
      document: { bucket, key, size: s3.object.size ?? null, eTag: s3.object.eTag ?? null, versionId, eventName: record.eventName, eventTime: record.eventTime, sequencer },
    };
  });
}

/**
 * Splits an event into the records that become jobs, each malformed record marked with its error.
 * Throws {@link MalformedEventError} when the event as a whole has the wrong shape.
 */
export function eventRecords(trigger: TriggerDefinition, event: unknown): (EventRecord | MalformedRecord)[] {
  switch (trigger.kind) {
    case TriggerKind.eventBridge:
      return eventBridgeRecords(event);
    case TriggerKind.sns:
      return snsRecords(event, 'sns' in trigger.source ? trigger.source.sns.messageFormat : 'json');
    case TriggerKind.s3:
      return s3Records(event);
  }
}
