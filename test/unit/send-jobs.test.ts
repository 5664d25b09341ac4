import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { chunkEntries, SQS_MAX_BATCH_BYTES, SQS_MAX_BATCH_ENTRIES } from '../../lib/sqs/send-jobs';

function entries(count: number, bodyBytes: number): SendMessageBatchRequestEntry[] {
  return Array.from({ length: count }, (_, index) => ({ Id: `m${index}`, MessageBody: 'x'.repeat(bodyBytes) }));
}

describe('chunkEntries', () => {
  it('puts at most 10 entries in a request', () => {
    const chunks = chunkEntries(entries(25, 10));
    expect(chunks.map((chunk) => chunk.length)).toEqual([10, 10, 5]);
  });

  it('keeps each request within 256 KiB of bodies', () => {
    const chunks = chunkEntries(entries(6, 100_000));
    expect(chunks.map((chunk) => chunk.length)).toEqual([2, 2, 2]);
    for (const chunk of chunks) {
      const bytes = chunk.reduce((sum, entry) => sum + Buffer.byteLength(entry.MessageBody ?? ''), 0);
      expect(bytes).toBeLessThanOrEqual(SQS_MAX_BATCH_BYTES);
      expect(chunk.length).toBeLessThanOrEqual(SQS_MAX_BATCH_ENTRIES);
    }
  });

  it('keeps entry ids unique within each request', () => {
    for (const chunk of chunkEntries(entries(30, 5))) {
      expect(new Set(chunk.map((entry) => entry.Id)).size).toBe(chunk.length);
    }
  });
});
