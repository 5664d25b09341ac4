import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { getServices, servicesReady } from '../lib/clients';
import { ConfigError } from '../lib/errors';
import { logger } from '../lib/observability/logger';
import { metrics } from '../lib/observability/metrics';
import { createTaskLimiter } from '../lib/worker/concurrency';
import { batchOutcomeWriter, OutcomeBatch } from '../lib/worker/outcome-batch';
import { processMessage } from '../lib/worker/process-message';

const processor = new BatchProcessor(EventType.SQS);

function queueOfThisFunction() {
  const name = getServices().config.SLUICE_QUEUE;
  if (!name) {
    throw new ConfigError('SLUICE_QUEUE is missing; set it to the queue this process function serves', { setting: 'SLUICE_QUEUE' });
  }
  return getServices().queues.get(name);
}

/**
 * SQS-triggered worker of one queue (SLUICE_QUEUE). Processes the batch's records in parallel,
 * records their outcomes with one MongoDB bulk write, and reports the records to deliver again in
 * `batchItemFailures`. Job failures are recorded on the
 * job and acknowledged, so they do not count toward SQS's redrive.
 */
export const handler = middy<SQSEvent, SQSBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(servicesReady())
  .handler(async (event: SQSEvent, context: Context) => {
    const services = getServices();
    const queue = queueOfThisFunction();
    metrics.addDimension('queue', queue.name);
    const outcomes = new OutcomeBatch(batchOutcomeWriter(services, queue, logger), event.Records.length);
    // At most `recordConcurrency` records of this batch run their attempts at once.
    const runLimited = createTaskLimiter(queue.recordConcurrency);
    const recordHandler = async (record: SQSRecord): Promise<void> => {
      try {
        await processMessage(record, { services, queue, logger, remainingTimeMs: () => context.getRemainingTimeInMillis(), outcomes, runLimited });
      } catch (error) {
        logger.error('record failed; SQS will deliver it again', { messageId: record.messageId, error: error as Error });
        throw error;
      }
    };
    // A batch whose every record failed still returns batchItemFailures, not an exception.
    // In parallel, which the outcome batch needs: it writes once every record has an outcome.
    return processPartialResponse(event, recordHandler, processor, { context, throwOnFullBatchFailure: false, processInParallel: true });
  });
