import { queueWaitMs } from '../../lib/worker/process-message';
import type { JobDocument } from '../../lib/jobs/job';

function job(createdAt: string, runAt: string): JobDocument {
  return { createdAt: new Date(createdAt), runAt: new Date(runAt) } as JobDocument;
}

describe('queueWaitMs', () => {
  it('counts from createdAt for a job due at once', () => {
    expect(queueWaitMs(job('2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:02.5Z'))).toBe(2_500);
  });

  it('counts from runAt for a delayed job or a retry', () => {
    expect(queueWaitMs(job('2026-01-01T00:00:00Z', '2026-01-01T00:01:00Z'), new Date('2026-01-01T00:01:00.2Z'))).toBe(200);
  });

  it('counts from createdAt when runAt is earlier', () => {
    expect(queueWaitMs(job('2026-01-01T00:00:10Z', '2026-01-01T00:00:00Z'), new Date('2026-01-01T00:00:11Z'))).toBe(1_000);
  });

  it('is 0 for a job started before it was due', () => {
    expect(queueWaitMs(job('2026-01-01T00:00:00Z', '2026-01-01T00:00:05Z'), new Date('2026-01-01T00:00:04Z'))).toBe(0);
  });
});
