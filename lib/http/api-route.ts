import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { requireApiKey } from '../auth/authorize';
import { servicesReady } from '../clients';
import { logger } from '../observability/logger';
import { httpErrors } from './errors-middleware';

/**
 * Starts a middy HTTP API handler with the logger's Lambda context, JSON error responses, the API
 * key check and the container's services (secrets resolved first).
 */
export function apiRoute() {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpErrors(logger))
    .use(requireApiKey())
    .use(servicesReady());
}
