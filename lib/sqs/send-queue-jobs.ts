import type { Services } from '../clients';
import type { JobDocument } from '../jobs/job';
import { describeError, logger } from '../observability/logger';
import { channelFor, SQS_MAX_DELAY_SECONDS, type QueueDefinition } from '../queues/definitions';
import { reserveSendDelays } from '../ratelimit/reserve-delays';
import { sendJobMessages } from './send-jobs';

export interface QueueSendOutcome {
  sent: string[];
  failed: { jobId: string; error: string }[];
}

/** Seconds until `runAt`, rounded up; 0 when due. */
export function secondsUntil(runAt: Date, now: Date): number {
  return Math.max(0, Math.ceil((runAt.getTime() - now.getTime()) / 1000));
}

/**
 * Returns the SQS delay of a job: the later of its own delay and its rate-limit slot, rounded
 * down to whole seconds (the SQS unit) and capped at 900 s. Rounding down makes the message
 * arrive up to a second early, and the process function waits out the rest before it claims the
 * job, so the job neither runs before `runAt` nor arrives up to a second late.
 */
function sendDelaySeconds(runAt: Date, reservedDelayMs: number, now: Date): number {
  const ownDelayMs = Math.max(0, runAt.getTime() - now.getTime());
  return Math.min(SQS_MAX_DELAY_SECONDS, Math.floor(Math.max(ownDelayMs, reservedDelayMs) / 1000));
}

/**
 * Sends jobs of one queue to SQS: each to the lane its priority selects, with a delay that lands
 * it on its `runAt` and on its rate-limit slots (reserved here). Writes nothing to MongoDB. A
 * failed send or queue lookup is returned per job rather than thrown, so the caller can leave
 * those jobs in the outbox; a failed reservation falls back to the jobs' own delays.
 */
export async function sendQueueJobs(services: Services, queue: QueueDefinition, jobs: JobDocument[], now: Date): Promise<QueueSendOutcome> {
  const outcome: QueueSendOutcome = { sent: [], failed: [] };
  if (jobs.length === 0) {
    return outcome;
  }
  const delaysMs = await reserveSendDelays(
    services.limiter,
    queue,
    jobs.map((job) => ({ job, delayMs: Math.max(0, job.runAt.getTime() - now.getTime()) })),
    logger,
    services.config.REDIS_TIMEOUT_MS,
  );

  const byChannel = new Map<string, { jobId: string; queue: string; delaySeconds: number }[]>();
  jobs.forEach((job, index) => {
    const sqsName = channelFor(queue, job.priority ?? 0).sqsName;
    const messages = byChannel.get(sqsName) ?? [];
    messages.push({ jobId: job._id, queue: queue.name, delaySeconds: sendDelaySeconds(job.runAt, delaysMs[index] as number, now) });
    byChannel.set(sqsName, messages);
  });

  await Promise.all(
    [...byChannel.entries()].map(async ([sqsName, messages]) => {
      try {
        const queueUrl = await services.queueUrls.resolve(sqsName);
        const sent = await sendJobMessages(services.sqs, queueUrl, messages);
        outcome.sent.push(...sent.sent);
        outcome.failed.push(...sent.failed);
      } catch (error) {
        const reason = `cannot resolve SQS queue ${sqsName}: ${describeError(error).message}`;
        outcome.failed.push(...messages.map((message) => ({ jobId: message.jobId, error: reason })));
      }
    }),
  );
  return outcome;
}
