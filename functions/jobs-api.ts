import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getServices } from '../lib/clients';
import { HttpStatus } from '../lib/errors';
import { httpErrors } from '../lib/http/errors-middleware';
import { jsonResponse } from '../lib/http/responses';
import { getJobStatus, getQueueStats } from '../lib/status/status';
import { logger } from '../lib/observability/logger';

/** `GET /jobs/{id}`: the job's state, attempts, last error, result and timestamps. */
export const getJob = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors(logger))
  .handler(async (event) => jsonResponse(HttpStatus.ok, await getJobStatus(getServices(), event.pathParameters?.id ?? '')));

/** `GET /queues/{queue}/stats`: job counts by state. */
export const queueStats = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(httpErrors(logger))
  .handler(async (event) => jsonResponse(HttpStatus.ok, await getQueueStats(getServices(), event.pathParameters?.queue ?? '')));
