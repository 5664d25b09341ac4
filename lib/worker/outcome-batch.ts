import type { Logger } from '@aws-lambda-powertools/logger';
import type { Services } from '../clients';
import { sendDueJobs } from '../enqueue/enqueue';
import type { JobDocument } from '../jobs/job';
import { JobState } from '../jobs/states';
import { describeError } from '../observability/logger';
import type { QueueDefinition } from '../queues/definitions';
import { recordOutcomes, type OutcomeWrite } from '../store/record-outcomes';

/** Writes a batch's outcomes and returns, per write, the recorded job or null when its lease was lost. */
export type OutcomeWriter = (writes: OutcomeWrite[]) => Promise<(JobDocument | null)[]>;

/** One record's place in an {@link OutcomeBatch}: it either records one outcome or closes without one. */
export interface OutcomeSlot {
  /** Queues the outcome and resolves once the batch's bulk write has run. Throws when that write fails. */
  record(write: OutcomeWrite): Promise<JobDocument | null>;
  /** Leaves the batch without an outcome; a no-op after {@link record}. */
  close(): void;
}

interface Pending {
  write: OutcomeWrite;
  resolve(job: JobDocument | null): void;
  reject(error: unknown): void;
}

/**
 * Collects the outcomes of one invocation's records and writes them together once every record
 * has recorded its outcome or closed without one. A record waits for the slowest attempt of its
 * batch, which Lambda does too: the invocation ends when the last record does.
 */
export class OutcomeBatch {
  private readonly pending: Pending[] = [];
  private unsettled: number;
  private slotsLeft: number;

  constructor(
    private readonly write: OutcomeWriter,
    size: number,
  ) {
    this.unsettled = size;
    this.slotsLeft = size;
  }

  /** Hands out one slot per record. Throws when asked for more slots than the batch has records. */
  slot(): OutcomeSlot {
    if (this.slotsLeft === 0) {
      throw new Error('OutcomeBatch: more slots requested than the batch has records');
    }
    this.slotsLeft -= 1;
    let settled = false;
    const settle = () => {
      settled = true;
      this.unsettled -= 1;
      if (this.unsettled === 0) {
        void this.flush();
      }
    };
    return {
      record: (write) => {
        if (settled) {
          return Promise.reject(new Error('OutcomeBatch: a slot records at most one outcome, before it closes'));
        }
        const result = new Promise<JobDocument | null>((resolve, reject) => this.pending.push({ write, resolve, reject }));
        settle();
        return result;
      },
      close: () => {
        if (!settled) {
          settle();
        }
      },
    };
  }

  private async flush(): Promise<void> {
    const batch = this.pending.splice(0);
    if (batch.length === 0) {
      return;
    }
    try {
      const recorded = await this.write(batch.map((entry) => entry.write));
      batch.forEach((entry, index) => entry.resolve(recorded[index] ?? null));
    } catch (error) {
      for (const entry of batch) {
        entry.reject(error);
      }
    }
  }
}

/**
 * Returns the writer the process function uses: one `bulkWrite` for the batch's outcomes, then
 * one send for the retries due within SQS's delay limit, then the status cache. A failed send
 * leaves the retries in the outbox for dispatch, and a cache failure is logged, because MongoDB
 * already contains every outcome.
 */
export function batchOutcomeWriter(services: Services, queue: QueueDefinition, logger: Logger, clock: () => Date = () => new Date()): OutcomeWriter {
  return async (writes) => {
    const recorded = await recordOutcomes(services.jobs, writes);
    const jobs = recorded.filter((job): job is JobDocument => job !== null);
    const retries = jobs.filter((job) => job.state === JobState.delayed);
    try {
      await sendDueJobs(services, queue, retries, clock());
    } catch (error) {
      logger.warn('sending retries failed; they stay in the outbox for dispatch', { jobIds: retries.map((job) => job._id).slice(0, 10), error: describeError(error) });
    }
    await services.statusCache.putQuietly(jobs, logger);
    return recorded;
  };
}
