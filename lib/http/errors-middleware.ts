import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import { HttpStatus, RequestError } from '../errors';
import { describeError } from '../observability/logger';
import { jsonResponse } from './responses';

/**
 * Middleware that turns errors into JSON responses. A `RequestError` becomes its 4xx status with
 * its message and field problems. Anything else is logged and returned as a bare 500, so no
 * internal detail leaks to the caller.
 */
export function httpErrors(logger: Logger): MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof RequestError) {
        logger.info('request rejected', { statusCode: error.statusCode, error: error.message });
        request.response = jsonResponse(error.statusCode, { error: { message: error.message, problems: error.problems } });
        return;
      }
      logger.error('request failed', { error: describeError(error) });
      request.response = jsonResponse(HttpStatus.internalServerError, {
        error: { message: 'internal error; the request may be retried', problems: [] },
      });
    },
  };
}
