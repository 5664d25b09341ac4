import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { InvalidRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors';

/** An HTTP API event whose body the {@link jsonBody} middleware has parsed. */
export type JsonEvent = Omit<APIGatewayProxyEventV2, 'body'> & { body: unknown };

function headerValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  // HTTP API payload v2 lower-cases header names; look case-insensitively anyway for other sources.
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

/**
 * Middleware that requires a JSON body of at most `maxBytes` and parses it: 415 when the content
 * type is not `application/json`, 413 when the body is larger, 400 when it is not valid JSON.
 */
export function jsonBody(options: { maxBytes: number }): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: (request) => {
      const event = request.event;
      const contentType = headerValue(event, 'content-type');
      const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
      if (mediaType !== 'application/json' && !mediaType?.endsWith('+json')) {
        throw new UnsupportedMediaTypeError(
          `content type ${contentType === undefined ? '(none)' : JSON.stringify(contentType)} is not supported; send the body as JSON with "content-type: application/json"`,
        );
      }
      let raw = event.body ?? '';
      if (event.isBase64Encoded) {
        raw = Buffer.from(raw, 'base64').toString('utf8');
      }
      const bytes = Buffer.byteLength(raw, 'utf8');
      if (bytes > options.maxBytes) {
        throw new PayloadTooLargeError(`request body is ${bytes} bytes, over the limit of ${options.maxBytes}; store large data elsewhere and send a reference`);
      }
      if (raw.trim() === '') {
        throw new InvalidRequestError('request body is empty; send a JSON object');
      }
      try {
        (event as unknown as JsonEvent).body = JSON.parse(raw);
      } catch (error) {
        throw new InvalidRequestError(`request body is not valid JSON (${(error as Error).message}); send a JSON object`, [], { cause: error });
      }
    },
  };
}
