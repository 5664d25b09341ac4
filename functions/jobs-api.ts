import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getServices, servicesReady } from '../lib/clients';
import { HttpStatus } from '../lib/errors';
import { httpErrors } from '../lib/http/errors-middleware';
import { jsonBody, type JsonEvent } from '../lib/http/json-body';
import { jsonResponse } from '../lib/http/responses';
import { cancelJobById } from '../lib/jobs-admin/cancel-job';
import { listQueueJobs } from '../lib/jobs-admin/list-jobs';
import { retryJobById } from '../lib/jobs-admin/retry-job';
import { getJobStatus, getQueueStats, listQueues } from '../lib/status/status';
import { logger } from '../lib/observability/logger';

/** `GET /jobs/{id}`: the job's state, attempts, last error, result and timestamps. */
export const getJob = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors(logger))
  .use(servicesReady())
  .handler(async (event) => jsonResponse(HttpStatus.ok, await getJobStatus(getServices(), event.pathParameters?.id ?? '')));

/** `GET /queues`: the queues this deployment defines. */
export const queues = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors(logger))
  .use(servicesReady())
  .handler(async () => jsonResponse(HttpStatus.ok, listQueues(getServices())));

/** `GET /queues/{queue}/stats`: counts by state, recent completions and failures, the oldest waiting job, and jobs finished per minute over the last hour; cached for SLUICE_STATS_CACHE_TTL_SECONDS. */
export const queueStats = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors(logger))
  .use(servicesReady())
  .handler(async (event) => jsonResponse(HttpStatus.ok, await getQueueStats(getServices(), event.pathParameters?.queue ?? '')));

/** `DELETE /jobs/{id}`: cancels a job that has not started; 200 with the job, 409 once it has started or finished. */
export const cancelJob = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors(logger))
  .use(servicesReady())
  .handler(async (event) => jsonResponse(HttpStatus.ok, await cancelJobById(getServices(), event.pathParameters?.id ?? '')));

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
export const retryJob = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors(logger))
  .use(servicesReady())
  .use(optionalRetryBody)
  .handler(async (event) => {
    const body = (event as unknown as JsonEvent).body;
    return jsonResponse(HttpStatus.accepted, await retryJobById(getServices(), event.pathParameters?.id ?? '', body === '' || body === null ? undefined : body));
  });

/** `GET /queues/{queue}/jobs?state=dead&limit=50&after=<cursor>`: a queue's finished jobs of one state, newest first. */
export const listJobs = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors(logger))
  .use(servicesReady())
  .handler(async (event) =>
    jsonResponse(HttpStatus.ok, await listQueueJobs(getServices(), event.pathParameters?.queue ?? '', event.queryStringParameters ?? {})),
  );
