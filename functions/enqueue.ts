import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getServices, servicesReady } from '../lib/clients';
import { assertAllowed, requestGrants, requireApiKey } from '../lib/auth/authorize';
import { ApiAction } from '../lib/auth/grants';
import { getConfig } from '../lib/config/env';
import { enqueueBatch, enqueueJob } from '../lib/enqueue/enqueue';
import { HttpStatus } from '../lib/errors';
import { httpErrors } from '../lib/http/errors-middleware';
import { jsonBody, type JsonEvent } from '../lib/http/json-body';
import { jsonResponse } from '../lib/http/responses';
import { logger } from '../lib/observability/logger';
import { metrics } from '../lib/observability/metrics';

/**
 * A batch carries up to 100 jobs, so its body may be up to 100 times one job's limit, but at most
 * 5 MiB: Lambda's synchronous invocation payload limit is 6 MB, and the event adds headers and context.
 */
const MAX_BATCH_BODY_BYTES = 5 * 1024 * 1024;

/** Requires the key's `enqueue` grant on the path's queue before the body is read. */
const enqueueGrant = {
  before: (request: { event: APIGatewayProxyEventV2 }) => {
    assertAllowed(requestGrants(request.event), request.event.pathParameters?.queue ?? '', ApiAction.enqueue);
  },
};

/** `POST /queues/{queue}/jobs`: enqueues one job; 202 with its id and state. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(httpErrors(logger))
  .use(requireApiKey())
  .use(enqueueGrant)
  .use(servicesReady())
  .use(jsonBody({ maxBytes: getConfig().SLUICE_MAX_PAYLOAD_BYTES }))
  .handler(async (event) => {
    const queue = event.pathParameters?.queue ?? '';
    const job = await enqueueJob(getServices(), queue, (event as unknown as JsonEvent).body);
    // Added only after enqueueJob accepted the queue name, so no unknown name becomes a dimension.
    metrics.addDimension('queue', queue);
    // A repeated idempotency key returns the job created first, with 200 instead of 202.
    return jsonResponse(job.existing ? HttpStatus.ok : HttpStatus.accepted, job);
  });

/** `POST /queues/{queue}/jobs/batch`: enqueues up to 100 jobs; 202 with one result per job, in request order. */
export const batchHandler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics))
  .use(httpErrors(logger))
  .use(requireApiKey())
  .use(enqueueGrant)
  .use(servicesReady())
  .use(jsonBody({ maxBytes: Math.min(getConfig().SLUICE_MAX_PAYLOAD_BYTES * 100, MAX_BATCH_BODY_BYTES) }))
  .handler(async (event) => {
    const queue = event.pathParameters?.queue ?? '';
    const jobs = await enqueueBatch(getServices(), queue, (event as unknown as JsonEvent).body);
    metrics.addDimension('queue', queue);
    return jsonResponse(HttpStatus.accepted, { jobs });
  });
