import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { SQSMessageAttribute, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

/** Source fields that every record of one mapping shares. */
export interface RecordSource {
  queueArn: string;
  awsRegion: string;
}

/**
 * Converts one received SQS message into the record Lambda's SQS event source sends
 * (`SQSRecord` of `@types/aws-lambda`): camel-case fields, system attributes as strings,
 * message attributes with base64 binary values and empty list values.
 * Throws when SQS returned a message without an id, receipt handle or body, which SQS never does.
 */
export function toSqsRecord(message: Message, source: RecordSource): SQSRecord {
  const { MessageId, ReceiptHandle, Body, MD5OfBody } = message;
  if (MessageId === undefined || ReceiptHandle === undefined || Body === undefined) {
    throw new Error(`SQS returned a message without MessageId, ReceiptHandle or Body (MessageId ${MessageId ?? 'missing'})`);
  }
  const record: SQSRecord = {
    messageId: MessageId,
    receiptHandle: ReceiptHandle,
    body: Body,
    // The caller asks for all system attributes, so SQS returns the four that SQSRecordAttributes requires.
    attributes: { ...message.Attributes } as unknown as SQSRecordAttributes,
    messageAttributes: toLambdaMessageAttributes(message.MessageAttributes),
    md5OfBody: MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.awsRegion,
  };
  if (message.MD5OfMessageAttributes !== undefined) {
    record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  }
  return record;
}

function toLambdaMessageAttributes(attributes: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const converted: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    converted[name] = toLambdaMessageAttribute(value);
  }
  return converted;
}

/** Lambda always sends both list fields, as empty arrays, and encodes binary values in base64. */
function toLambdaMessageAttribute(value: MessageAttributeValue): SQSMessageAttribute {
  const attribute: SQSMessageAttribute = {
    stringListValues: value.StringListValues ?? [],
    binaryListValues: (value.BinaryListValues ?? []).map(toBase64),
    dataType: value.DataType ?? 'String',
  };
  if (value.StringValue !== undefined) {
    attribute.stringValue = value.StringValue;
  }
  if (value.BinaryValue !== undefined) {
    attribute.binaryValue = toBase64(value.BinaryValue);
  }
  return attribute;
}

function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}
