import type { QueueDefinition } from './definitions';
import {
  defaultVisibilityTimeout,
  MAX_EVENT_SOURCE_CONCURRENCY,
  MAX_MAX_RECEIVE_COUNT,
  MIN_EVENT_SOURCE_CONCURRENCY,
  MIN_MAX_RECEIVE_COUNT,
  SQS_MAX_DELAY_SECONDS,
  SQS_MAX_VISIBILITY_TIMEOUT_SECONDS,
  VISIBILITY_TIMEOUT_FACTOR,
} from './limits';

/**
 * Checks one queue against the rules that keep its messages out of the dead-letter queue and
 * within SQS's limits. Returns one message per broken rule, each naming the queue and the setting.
 */
export function queueRuleProblems(queue: QueueDefinition): string[] {
  const problems: string[] = [];
  const at = (setting: string) => `queue "${queue.name}": ${setting}`;

  const minimumVisibility = defaultVisibilityTimeout(queue.timeoutSeconds, queue.maximumBatchingWindowSeconds);
  if (queue.visibilityTimeoutSeconds < minimumVisibility) {
    problems.push(
      `${at('visibilityTimeoutSeconds')} ${queue.visibilityTimeoutSeconds} is below ${VISIBILITY_TIMEOUT_FACTOR} x timeoutSeconds (${queue.timeoutSeconds}) + maximumBatchingWindowSeconds (${queue.maximumBatchingWindowSeconds}); set it to at least ${minimumVisibility} or remove it to get that default`,
    );
  }
  if (queue.visibilityTimeoutSeconds > SQS_MAX_VISIBILITY_TIMEOUT_SECONDS) {
    problems.push(`${at('visibilityTimeoutSeconds')} ${queue.visibilityTimeoutSeconds} is over the SQS maximum of ${SQS_MAX_VISIBILITY_TIMEOUT_SECONDS} s; lower timeoutSeconds or maximumBatchingWindowSeconds`);
  }

  for (const channel of queue.channels) {
    const setting = channel.lane === null ? 'maxConcurrency' : `priorityLanes.${channel.lane}.maxConcurrency`;
    if (channel.maxConcurrency < MIN_EVENT_SOURCE_CONCURRENCY || channel.maxConcurrency > MAX_EVENT_SOURCE_CONCURRENCY) {
      problems.push(`${at(setting)} ${channel.maxConcurrency} is outside the SQS event source's range of ${MIN_EVENT_SOURCE_CONCURRENCY} to ${MAX_EVENT_SOURCE_CONCURRENCY}`);
    }
    if (channel.maxConcurrency > channel.reservedConcurrency) {
      problems.push(
        `${at(setting)} ${channel.maxConcurrency} is above the reserved concurrency ${channel.reservedConcurrency}, so Lambda would throttle the event source and push messages toward the dead-letter queue; raise reservedConcurrency or lower maxConcurrency`,
      );
    }
  }

  if (queue.maxReceiveCount < MIN_MAX_RECEIVE_COUNT || queue.maxReceiveCount > MAX_MAX_RECEIVE_COUNT) {
    problems.push(
      `${at('maxReceiveCount')} ${queue.maxReceiveCount} is outside ${MIN_MAX_RECEIVE_COUNT} to ${MAX_MAX_RECEIVE_COUNT}; below ${MIN_MAX_RECEIVE_COUNT} a few throttled receives can move a message to the dead-letter queue`,
    );
  }
  if (queue.delaySeconds > SQS_MAX_DELAY_SECONDS) {
    problems.push(`${at('delaySeconds')} ${queue.delaySeconds} is over the SQS maximum of ${SQS_MAX_DELAY_SECONDS} s; use a job's delaySeconds or runAt for longer waits`);
  }
  return problems;
}
