/**
 * Sample events in the shapes AWS documents for EventBridge rule targets, SNS subscriptions and
 * S3 event notifications (version 2.1), typed by @types/aws-lambda.
 */
import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent, S3Event, S3EventRecord, SNSEvent, SNSEventRecord } from 'aws-lambda';

export function eventBridgeEvent(detail: Record<string, unknown>, id = randomUUID()): EventBridgeEvent<'OrderPlaced', Record<string, unknown>> {
  return {
    version: '0',
    id,
    'detail-type': 'OrderPlaced',
    source: 'shop.orders',
    account: '123456789012',
    time: '2026-12-04T10:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

export function snsRecord(message: string, attributes: Record<string, string> = {}, messageId = randomUUID()): SNSEventRecord {
  return {
    EventVersion: '1.0',
    EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:sluice-invoices:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55',
    EventSource: 'aws:sns',
    Sns: {
      SignatureVersion: '1',
      Timestamp: '2026-12-04T10:00:00.000Z',
      Signature: 'EXAMPLE',
      SigningCertUrl: 'EXAMPLE',
      MessageId: messageId,
      Message: message,
      MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { Type: 'String', Value: value }])),
      Type: 'Notification',
      UnsubscribeUrl: 'EXAMPLE',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:sluice-invoices',
      Subject: 'invoice',
    },
  };
}

export function snsEvent(...records: SNSEventRecord[]): SNSEvent {
  return { Records: records };
}

export function s3Record(key: string, size: number, sequencer = randomUUID().replace(/-/g, '').slice(0, 18).toUpperCase()): S3EventRecord {
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: '2026-12-04T10:00:00.000Z',
    eventName: 'ObjectCreated:Put',
    userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'uploads',
      bucket: { name: 'sluice-test-uploads', ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: 'arn:aws:s3:::sluice-test-uploads' },
      object: { key, size, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer },
    },
  };
}

export function s3Event(...records: S3EventRecord[]): S3Event {
  return { Records: records };
}
