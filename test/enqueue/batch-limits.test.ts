import { SendMessageBatchCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { CommandStartedEvent } from 'mongodb';
import { z } from 'zod';
import type { Services } from '../../lib/clients';
import { enqueueBatch } from '../../lib/enqueue/enqueue';
import { defineJobType, JobTypeRegistry } from '../../lib/jobs/registry';
import { findJob } from '../../lib/store/job-store';
import { chunkEntries, SQS_MAX_BATCH_BYTES, SQS_MAX_BATCH_ENTRIES } from '../../lib/sqs/send-jobs';
import { withCommandMonitoring } from '../support/command-monitor';
import { countMessages } from '../support/queues';
import { testServicesWithQueues } from '../support/services';

const registry = new JobTypeRegistry().register(
  defineJobType({ name: 'test.blob', payloadSchema: z.object({ data: z.string() }), handler: async () => 'ok' }),
);

interface SentRequest {
  entries: SendMessageBatchRequestEntry[];
  /** Bytes of the serialized HTTP request body. */
  httpBytes: number;
}

let services: Services;
let close: () => Promise<void>;
let closeMonitored: () => Promise<void>;
let commands: CommandStartedEvent[];
let queueUrl: string;
const requests: SentRequest[] = [];

beforeAll(async () => {
  const created = await testServicesWithQueues(registry);
  close = created.close;
  queueUrl = created.queueUrl;
  ({ services, commands, close: closeMonitored } = withCommandMonitoring(created.services));
  // Records every SendMessageBatch request as the SDK serialized it.
  services.sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'SendMessageBatchCommand') {
        const body = (args.request as { body?: unknown }).body;
        const input = args.input as { Entries: SendMessageBatchRequestEntry[] };
        let httpBytes = -1;
        if (typeof body === 'string') {
          httpBytes = Buffer.byteLength(body);
        } else if (body instanceof Uint8Array) {
          httpBytes = body.byteLength;
        }
        requests.push({ entries: input.Entries, httpBytes });
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordSendMessageBatch' },
  );
});

afterAll(async () => {
  await closeMonitored();
  await close();
});

beforeEach(() => {
  requests.length = 0;
  commands.length = 0;
});

function bodyBytes(entries: SendMessageBatchRequestEntry[]): number {
  return entries.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody ?? ''), 0);
}

describe.each([
  { count: 2, payloadBytes: 200_000 },
  { count: 10, payloadBytes: 30_000 },
])('batch enqueue of $count jobs of $payloadBytes bytes', ({ count, payloadBytes }) => {
  it('inserts once and keeps every SQS request within its limits', async () => {
    const before = await countMessages(services, queueUrl);
    const jobs = Array.from({ length: count }, (_, index) => ({ type: 'test.blob', payload: { data: String(index).padEnd(payloadBytes, 'x') } }));

    const results = await enqueueBatch(services, 'default', { jobs });

    expect(results).toHaveLength(count);
    const inserts = commands.filter((event) => event.commandName === 'insert');
    expect(inserts).toHaveLength(1);
    expect(inserts[0]?.command.documents).toHaveLength(count);

    expect(requests.length).toBeGreaterThanOrEqual(1);
    for (const request of requests) {
      expect(request.entries.length).toBeLessThanOrEqual(SQS_MAX_BATCH_ENTRIES);
      expect(bodyBytes(request.entries)).toBeLessThanOrEqual(SQS_MAX_BATCH_BYTES);
      expect(request.httpBytes).toBeGreaterThan(0);
      expect(request.httpBytes).toBeLessThanOrEqual(SQS_MAX_BATCH_BYTES);
    }
    // The payload stays in MongoDB; a message carries the job id only.
    expect(requests.flatMap((request) => request.entries)).toHaveLength(count);
    const stored = await Promise.all(results.map((result) => findJob(services.jobs, (result as { id: string }).id)));
    expect(stored.map((job) => job?.outbox)).toEqual(Array(count).fill(false));
    expect((await countMessages(services, queueUrl)).visible).toBe(before.visible + count);
  });
});

describe('SendMessageBatch chunks at the byte limit', () => {
  it.each([
    { count: 2, bytes: 200_000, sizes: [1, 1] },
    { count: 10, bytes: 30_000, sizes: [8, 2] },
  ])('splits $count bodies of $bytes bytes into requests the emulator accepts', async ({ count, bytes, sizes }) => {
    const entries = Array.from({ length: count }, (_, index) => ({ Id: `m${index}`, MessageBody: String(index).padEnd(bytes, 'y') }));
    const chunks = chunkEntries(entries);
    expect(chunks.map((chunk) => chunk.length)).toEqual(sizes);
    for (const chunk of chunks) {
      const response = await services.sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: chunk }));
      expect(response.Failed ?? []).toEqual([]);
      expect(response.Successful).toHaveLength(chunk.length);
    }
  });
});
