import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayRequestAuthorizerEventV2, APIGatewaySimpleAuthorizerWithContextResult } from 'aws-lambda';
import type { Collection } from 'mongodb';
import { apiKeysCollection, verifyApiKey, type ApiKeyDocument } from '../lib/auth/api-key-store';
import { bearerToken } from '../lib/auth/bearer';
import { encodeGrants, type GrantsContext } from '../lib/auth/grants';
import { configReady, getMongoClient } from '../lib/clients';
import { getConfig } from '../lib/config/env';
import { logger } from '../lib/observability/logger';

/**
 * API Gateway returns 401 when the authorizer throws this exact message, and serverless-offline
 * does so for any error. A false `isAuthorized` would be a 403, and any other error a 500 on AWS.
 */
const UNAUTHORIZED = 'Unauthorized';

let keys: Collection<ApiKeyDocument> | undefined;

/** Returns the API keys collection on the container's MongoClient; the authorizer creates no Redis or SQS client. */
function apiKeys(): Collection<ApiKeyDocument> {
  if (!keys) {
    const config = getConfig();
    keys = apiKeysCollection(getMongoClient().db(config.MONGODB_DATABASE));
  }
  return keys;
}

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
  .use(configReady())
  .handler(async (event) => {
    const token = bearerToken(authorizationHeader(event));
    if (token === undefined) {
      logger.info('request rejected: no bearer API key');
      throw new Error(UNAUTHORIZED);
    }
    // A MongoDB failure propagates: API Gateway then returns 500 rather than calling a valid key invalid.
    const grants = await verifyApiKey(apiKeys(), token);
    if (!grants) {
      logger.info('request rejected: unknown, revoked or malformed API key');
      throw new Error(UNAUTHORIZED);
    }
    return { isAuthorized: true, context: encodeGrants(grants) };
  });
