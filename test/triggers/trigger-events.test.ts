import { join } from 'node:path';
import '../support/function-environment';
import type { Context } from 'aws-lambda';
import { handler } from '../../functions/trigger';
import { createServices, getServices, type Services } from '../../lib/clients';
import { readConfig } from '../../lib/config/env';
import { logger } from '../../lib/observability/logger';
import { metrics } from '../../lib/observability/metrics';
import { loadTrigger } from '../../lib/triggers/catalog';
import { handleTriggerEvent } from '../../lib/triggers/handle-event';
import { prepareFunctionServices } from '../support/http-handlers';
import { createTestQueues, receiveBodies } from '../support/queues';
import { testRedisNodes, testSqsEndpoint } from '../support/services';
import { eventBridgeEvent, s3Event, s3Record, snsEvent, snsRecord } from './sample-events';

// Read when the trigger function first runs, not when it loads.
process.env.SLUICE_TRIGGERS_FILE = join(__dirname, '..', 'fixtures', 'triggers.json');
process.env.SLUICE_TRIGGER = 'order-placed';

let services: Services;
let cleanUp: () => Promise<void>;
let queueUrls: Map<string, { url: string }>;

const context = { awsRequestId: 'trigger-test', functionName: 'trigger-order-placed', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

beforeAll(async () => {
  services = getServices();
  cleanUp = await prepareFunctionServices();
  queueUrls = await createTestQueues(services);
});

afterAll(async () => {
  await cleanUp();
});

afterEach(() => {
  jest.restoreAllMocks();
});

const trigger = (name: string) => loadTrigger(name, services.queues, services.jobTypes);

describe('EventBridge trigger', () => {
  it('enqueues the mapped job through the function', async () => {
    const event = eventBridgeEvent({ orderId: 'o-1001', callbackUrl: 'http://127.0.0.1:9/orders' });

    const outcome = await handler(event, context);

    expect(outcome).toEqual({ enqueued: 1, existing: 0, malformed: 0 });
    const [job] = await services.jobs.find({ idempotencyKey: `order-placed:${event.id}` }).toArray();
    expect(job).toMatchObject({ queue: 'webhooks', type: 'http', state: 'queued' });
    expect(job?.payload).toMatchObject({ url: 'http://127.0.0.1:9/orders', body: { orderId: 'o-1001', source: 'eventbridge' } });
    const bodies = await receiveBodies(services, queueUrls.get('webhooks')?.url as string);
    expect(bodies).toContainEqual(expect.objectContaining({ jobId: job?._id }));
  });

  it('creates one job for a redelivered event', async () => {
    const event = eventBridgeEvent({ orderId: 'o-1002', callbackUrl: 'http://127.0.0.1:9/orders' });

    const first = await handleTriggerEvent(services, trigger('order-placed'), event, logger);
    const second = await handleTriggerEvent(services, trigger('order-placed'), event, logger);

    expect(first).toEqual({ enqueued: 1, existing: 0, malformed: 0 });
    expect(second).toEqual({ enqueued: 0, existing: 1, malformed: 0 });
    expect(await services.jobs.countDocuments({ idempotencyKey: `order-placed:${event.id}` })).toBe(1);
  });

  it('drops an event without detail, logging no contents', async () => {
    const warn = jest.spyOn(logger, 'warn');
    const addMetric = jest.spyOn(metrics, 'addMetric');
    const event = { ...eventBridgeEvent({}), detail: 'secret-value-1' };

    const outcome = await handleTriggerEvent(services, trigger('order-placed'), event, logger);

    expect(outcome).toEqual({ enqueued: 0, existing: 0, malformed: 1 });
    expect(addMetric).toHaveBeenCalledWith('MalformedEvents', 'Count', 1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(JSON.stringify(warn.mock.calls)).not.toContain('secret-value-1');
    expect(await services.jobs.countDocuments({ idempotencyKey: `order-placed:${event.id}` })).toBe(0);
  });

  it('drops an event missing a mapped field', async () => {
    const warn = jest.spyOn(logger, 'warn');
    const event = eventBridgeEvent({ orderId: 'o-1003' });

    const outcome = await handleTriggerEvent(services, trigger('order-placed'), event, logger);

    expect(outcome).toEqual({ enqueued: 0, existing: 0, malformed: 1 });
    expect(warn.mock.calls[0]?.[1]).toMatchObject({ trigger: 'order-placed', reason: 'the event has no field "detail.callbackUrl" (missing at "callbackUrl")' });
  });

  it('drops an event whose job fails validation, naming the field only', async () => {
    const warn = jest.spyOn(logger, 'warn');
    const event = eventBridgeEvent({ orderId: 'o-1004', callbackUrl: 'ftp://secret-host.example/orders' });

    const outcome = await handleTriggerEvent(services, trigger('order-placed'), event, logger);

    expect(outcome).toEqual({ enqueued: 0, existing: 0, malformed: 1 });
    expect(warn.mock.calls[0]?.[1]).toMatchObject({ reason: 'the mapped job is invalid', fields: ['payload.url'] });
    expect(JSON.stringify(warn.mock.calls)).not.toContain('secret-host');
  });
});

describe('SNS trigger', () => {
  it('enqueues one job per record with the trigger maxAttempts', async () => {
    const message = JSON.stringify({ url: 'http://127.0.0.1:9/invoices', invoice: { id: 'inv-7', total: 1250 } });
    const record = snsRecord(message, { kind: 'invoice' });

    const outcome = await handleTriggerEvent(services, trigger('invoice-events'), snsEvent(record), logger);

    expect(outcome).toEqual({ enqueued: 1, existing: 0, malformed: 0 });
    const job = await services.jobs.findOne({ idempotencyKey: `invoice-events:${record.Sns.MessageId}` });
    expect(job).toMatchObject({ queue: 'default', maxAttempts: 3, payload: { url: 'http://127.0.0.1:9/invoices', body: { id: 'inv-7', total: 1250 } } });
  });

  it('keeps the valid records of a partly malformed event', async () => {
    const valid = snsRecord(JSON.stringify({ url: 'http://127.0.0.1:9/invoices', invoice: { id: 'inv-8' } }));
    const notJson = snsRecord('total: 12');
    const lacksUrl = snsRecord(JSON.stringify({ invoice: { id: 'inv-9' } }));

    const outcome = await handleTriggerEvent(services, trigger('invoice-events'), snsEvent(valid, notJson, lacksUrl), logger);

    expect(outcome).toEqual({ enqueued: 1, existing: 0, malformed: 2 });
    expect(await services.jobs.countDocuments({ idempotencyKey: `invoice-events:${valid.Sns.MessageId}` })).toBe(1);
  });
});

describe('S3 trigger', () => {
  it('enqueues one job per object with the decoded key', async () => {
    const event = s3Event(s3Record('incoming/monthly+report%282026%29.csv', 2048), s3Record('incoming/b.csv', 10));

    const outcome = await handleTriggerEvent(services, trigger('uploads'), event, logger);

    expect(outcome).toEqual({ enqueued: 2, existing: 0, malformed: 0 });
    const jobs = await services.jobs.find({ 'payload.body.bucket': 'sluice-test-uploads' }).toArray();
    expect(jobs.map((job) => (job.payload as { body: unknown }).body)).toEqual(
      expect.arrayContaining([
        { bucket: 'sluice-test-uploads', key: 'incoming/monthly report(2026).csv', size: 2048 },
        { bucket: 'sluice-test-uploads', key: 'incoming/b.csv', size: 10 },
      ]),
    );
  });

  it('drops an event that is not an S3 notification', async () => {
    const notRecords = await handleTriggerEvent(services, trigger('uploads'), { Records: 'none' }, logger);
    const lacksObject = await handleTriggerEvent(services, trigger('uploads'), { Records: [{ s3: { bucket: {} } }] }, logger);

    expect(notRecords).toEqual({ enqueued: 0, existing: 0, malformed: 1 });
    expect(lacksObject).toEqual({ enqueued: 0, existing: 0, malformed: 1 });
  });
});

describe('trigger failures', () => {
  it('throws when MongoDB is unreachable, so Lambda retries', async () => {
    const unreachable = createServices(
      readConfig({
        MONGODB_URI: 'mongodb://127.0.0.1:1/?directConnection=true',
        MONGODB_TIMEOUT_MS: '300',
        REDIS_CLUSTER_NODES: testRedisNodes(),
        SQS_ENDPOINT: testSqsEndpoint(),
        SLUICE_STAGE: services.config.SLUICE_STAGE,
      }),
    );
    try {
      const event = eventBridgeEvent({ orderId: 'o-1005', callbackUrl: 'http://127.0.0.1:9/orders' });
      await expect(handleTriggerEvent(unreachable, trigger('order-placed'), event, logger)).rejects.toThrow(/ECONNREFUSED|Server selection timed out/);
    } finally {
      await unreachable.mongo.close();
      unreachable.redis.disconnect();
      unreachable.sqs.destroy();
    }
  });
});
