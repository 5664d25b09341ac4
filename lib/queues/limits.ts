/** AWS limits and guidance that queue definitions are checked against. */

/** SQS caps `DelaySeconds` at 900 s. */
export const SQS_MAX_DELAY_SECONDS = 900;
/** The SQS event source's batching window is at most 300 s. */
export const SQS_MAX_BATCHING_WINDOW_SECONDS = 300;
/** SQS accepts a visibility timeout of at most 12 hours. */
export const SQS_MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200;
/**
 * AWS's guidance for SQS event sources: a visibility timeout of at least six times the function
 * timeout, plus the batching window.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** Lambda's SQS event source accepts `maximumConcurrency` from 2 to 1000. */
export const MIN_EVENT_SOURCE_CONCURRENCY = 2;
export const MAX_EVENT_SOURCE_CONCURRENCY = 1000;
/** AWS recommends a `maxReceiveCount` of at least 5, so Lambda throttling alone cannot move a message to the dead-letter queue. */
export const MIN_MAX_RECEIVE_COUNT = 5;
/** SQS accepts a `maxReceiveCount` of at most 1,000. */
export const MAX_MAX_RECEIVE_COUNT = 1000;

/** Visibility timeout that a queue gets unless its definition sets one. */
export function defaultVisibilityTimeout(timeoutSeconds: number, batchingWindowSeconds: number): number {
  return timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR + batchingWindowSeconds;
}
