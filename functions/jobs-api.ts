import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { assertAllowed, requestGrants } from '../lib/auth/authorize';
import { ApiAction, isAllowed } from '../lib/auth/grants';
import { queueOfJob } from '../lib/auth/resource-queues';
import { getServices } from '../lib/clients';
import { HttpStatus } from '../lib/errors';
import { apiRoute } from '../lib/http/api-route';
import { jsonBody, type JsonEvent } from '../lib/http/json-body';
import { jsonResponse } from '../lib/http/responses';
import { cancelJobById } from '../lib/jobs-admin/cancel-job';
import { listQueueJobs } from '../lib/jobs-admin/list-jobs';
import { retryJobById } from '../lib/jobs-admin/retry-job';
import { getJobStatus, getQueueStats, listQueues } from '../lib/status/status';

/** `GET /jobs/{id}`: the job's state, attempts, last error, result and timestamps; 403 unless the key may read its queue. */
export const getJob = apiRoute().handler(async (event) => {
  const job = await getJobStatus(getServices(), event.pathParameters?.id ?? '');
  assertAllowed(requestGrants(event), job.queue, ApiAction.read);
  return jsonResponse(HttpStatus.ok, job);
});

/** `GET /queues`: the queues this deployment defines that the key may read. */
export const queues = apiRoute().handler(async (event) => {
  const grants = requestGrants(event);
  const { queues: all } = listQueues(getServices());
  return jsonResponse(HttpStatus.ok, { queues: all.filter((queue) => isAllowed(grants, queue.name, ApiAction.read)) });
});

/**
 * `GET /queues/{queue}/stats`: counts by state, recent completions and failures, the oldest
 * waiting job, and jobs finished per minute over the last hour; cached for SLUICE_STATS_CACHE_TTL_SECONDS.
 */
export const queueStats = apiRoute().handler(async (event) => {
  const queue = event.pathParameters?.queue ?? '';
  assertAllowed(requestGrants(event), queue, ApiAction.read);
  return jsonResponse(HttpStatus.ok, await getQueueStats(getServices(), queue));
});

/** `DELETE /jobs/{id}`: cancels a job that has not started; 200 with the job, 409 once it has started or finished. */
export const cancelJob = apiRoute().handler(async (event) => {
  const id = event.pathParameters?.id ?? '';
  assertAllowed(requestGrants(event), await queueOfJob(getServices(), id), ApiAction.admin);
  return jsonResponse(HttpStatus.ok, await cancelJobById(getServices(), id));
});

/** Retry bodies are tiny: `{ "maxAttempts": n }`. */
const RETRY_BODY_MAX_BYTES = 1_024;
const retryBody = jsonBody({ maxBytes: RETRY_BODY_MAX_BYTES });

/** The retry body is optional: without one, the job type's attempt budget applies. */
const optionalRetryBody: MiddlewareObj<APIGatewayProxyEventV2> = {
  before: (request) => {
    // API Gateway and serverless offline send an absent body as undefined, null or ''.
    const body: unknown = request.event.body;
    if (body !== undefined && body !== null && body !== '') {
      return retryBody.before?.(request);
    }
  },
};

/** `POST /jobs/{id}/retry`: retries a dead job with `maxAttempts` more attempts (optional body); 202 with the job, 409 unless dead. */
export const retryJob = apiRoute()
  .use(optionalRetryBody)
  .handler(async (event) => {
    const id = event.pathParameters?.id ?? '';
    assertAllowed(requestGrants(event), await queueOfJob(getServices(), id), ApiAction.admin);
    const body = (event as unknown as JsonEvent).body;
    return jsonResponse(HttpStatus.accepted, await retryJobById(getServices(), id, body === '' || body === null ? undefined : body));
  });

/** `GET /queues/{queue}/jobs?state=dead&limit=50&after=<cursor>`: a queue's finished jobs of one state, newest first. */
export const listJobs = apiRoute().handler(async (event) => {
  const queue = event.pathParameters?.queue ?? '';
  assertAllowed(requestGrants(event), queue, ApiAction.read);
  return jsonResponse(HttpStatus.ok, await listQueueJobs(getServices(), queue, event.queryStringParameters ?? {}));
});
