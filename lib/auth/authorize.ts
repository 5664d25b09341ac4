import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ForbiddenError, InvalidRequestError, UnauthorizedError } from '../errors';
import { decodeGrants, isAllowed, type ApiAction, type Grants } from './grants';

/**
 * serverless-offline replaces the authorizer's context with this header's JSON, so a client could
 * grant itself every queue offline. API Gateway gives the header no meaning; it is rejected everywhere.
 */
const AUTHORIZER_OVERRIDE_HEADER = 'sls-offline-authorizer-override';

/** Reads the grants the API key authorizer put on the request; throws 401 when there are none. */
export function requestGrants(event: APIGatewayProxyEventV2): Grants {
  const authorizer = (event.requestContext as { authorizer?: { lambda?: unknown } } | undefined)?.authorizer;
  const grants = decodeGrants(authorizer?.lambda);
  if (!grants) {
    throw new UnauthorizedError('the request carries no valid API key; send "Authorization: Bearer <api key>"');
  }
  return grants;
}

/** Throws {@link ForbiddenError} naming the key, the action and the queue unless `grants` allow them. */
export function assertAllowed(grants: Grants, queue: string, action: ApiAction): void {
  if (!isAllowed(grants, queue, action)) {
    throw new ForbiddenError(
      `API key ${grants.keyId} may not ${action} on queue ${JSON.stringify(queue)}; use a key granted ${action} on this queue`,
      { queue, operation: action },
    );
  }
}

/**
 * Middleware that requires the API key authorizer's grants on every request (401 without them)
 * and rejects the serverless-offline authorizer override header (400).
 */
export function requireApiKey(): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: (request) => {
      const headers = Object.keys(request.event.headers ?? {});
      if (headers.some((name) => name.toLowerCase() === AUTHORIZER_OVERRIDE_HEADER)) {
        throw new InvalidRequestError(`header ${AUTHORIZER_OVERRIDE_HEADER} is not allowed; remove it and authenticate with "Authorization: Bearer <api key>"`);
      }
      requestGrants(request.event);
    },
  };
}
