import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import { apiKeysCollection, verifyApiKey } from '../lib/auth/api-key-store';
import { bearerToken } from '../lib/auth/bearer';
import { encodeGrants, type GrantsContext } from '../lib/auth/grants';
import { getServices } from '../lib/clients';
import { logger } from '../lib/observability/logger';

/**
 * API Gateway answers 401 when the authorizer throws this exact message (serverless-offline does
 * the same for any error); a false `isAuthorized` would be a 403.
 */
const UNAUTHORIZED = 'Unauthorized';

function authorizationHeader(event: APIGatewayRequestAuthorizerEventV2): string | undefined {
  const fromSource = event.identitySource?.[0];
  if (fromSource) {
    return fromSource;
  }
  return Object.entries(event.headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
}

/**
 * HTTP API request authorizer (payload 2.0, simple responses): verifies the bearer API key and
 * passes its grants to the route's handler in the context, which checks the queue and action.
 * API Gateway caches the result per Authorization header value for the authorizer's TTL.
 * Logs the key id, never the key.
 */
export const handler = middy<APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult<GrantsContext>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const token = bearerToken(authorizationHeader(event));
    if (token === undefined) {
      logger.info('request rejected: no bearer API key');
      throw new Error(UNAUTHORIZED);
    }
    const services = getServices();
    const grants = await verifyApiKey(apiKeysCollection(services.mongo.db(services.config.MONGODB_DATABASE)), token);
    if (!grants) {
      logger.info('request rejected: unknown, revoked or malformed API key');
      throw new Error(UNAUTHORIZED);
    }
    return { isAuthorized: true, context: encodeGrants(grants) };
  });
