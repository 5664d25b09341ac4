import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import { HttpStatus, RequestError } from '../errors';
import { describeError } from '../observability/logger';
import { jsonResponse } from './responses';

/** Cuts a field path after its `payload` segment, because keys inside a payload are payload data: `jobs.2.payload.…`. */
export function fieldPathUpToPayload(field: string): string {
  const segments = field.split('.');
  const payloadIndex = segments.indexOf('payload');
  if (payloadIndex === -1 || payloadIndex === segments.length - 1) {
    return field;
  }
  return `${segments.slice(0, payloadIndex + 1).join('.')}.…`;
}

/**
 * Middleware that turns errors into JSON responses. A `RequestError` becomes its 4xx status with
 * its message and field problems, and is logged by status, error name and field names. Anything else is logged and returned as a bare 500, so no
 * internal detail leaks to the caller.
 */
export function httpErrors(logger: Logger): MiddlewareObj {
  return {
    onError: (request) => {
      const error = request.error;
      if (error instanceof RequestError) {
        // Messages quote rejected values, which may be payload data, so only the field paths are logged, cut at the payload.
        logger.info('request rejected', { statusCode: error.statusCode, error: error.name, fields: error.problems.map((problem) => fieldPathUpToPayload(problem.field)) });
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
