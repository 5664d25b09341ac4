/**
 * Typed producer client of the Sluice HTTP API: `createSluiceClient({ url, apiKey, retries })`.
 * See docs/sdk.md.
 */
export { createSluiceClient, BATCH_CHUNK_SIZE, DEFAULT_URL } from './client';
export type { AnyJobTypes, AutoIdempotencyKeys, BatchJob, BuiltInJobTypes, EnqueueOptions, EnqueuedJob, Job, JobPage, JobTypeSchemas, ListJobsQuery, QueueStats, RejectedJob, SluiceClient, SluiceClientOptions } from './client';
export { SluiceApiError, SluiceClientError, SluiceConnectionError } from './errors';
export { backoffDelayMs, DEFAULT_RETRY_OPTIONS, type RetryEvent, type RetryOptions } from './transport';
export { jobPayloadSchemas } from '../lib/jobs/types';
