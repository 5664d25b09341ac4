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

/** Deepest nesting of arrays and objects a body may have; MongoDB stores documents up to 100 levels deep. */
export const MAX_JSON_DEPTH = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Returns the media type's charset parameter in lower case, or undefined without one. */
function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1]?.toLowerCase();
}

/** Returns whether the JSON text nests arrays and objects deeper than `limit`, scanning outside strings only. */
function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === '\\') {
        index += 1;
      } else if (char === '"') {
        inString = false;
      }
    } else if (char === '"') {
      inString = true;
    } else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > limit) {
        return true;
      }
    } else if (char === ']' || char === '}') {
      depth -= 1;
    }
  }
  return false;
}

/** Returns the parser's message without the excerpt of the body that V8 quotes, because it may hold payload data. */
function describeJsonError(error: unknown): string {
  return String((error as Error).message).replace(/,? ?".*" is not valid JSON$/s, '').trim() || 'unexpected input';
}

/**
 * Middleware that requires a JSON body of at most `maxBytes` and parses it: 415 when the content
 * type is not `application/json` or its charset is not UTF-8, 413 when the body is larger, 400
 * when it is not valid UTF-8 or JSON or nests deeper than {@link MAX_JSON_DEPTH} levels.
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
      const charset = charsetOf(contentType ?? '');
      if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
        throw new UnsupportedMediaTypeError(`charset ${JSON.stringify(charset)} is not supported; send the body as UTF-8 JSON`);
      }
      let raw = event.body ?? '';
      if (event.isBase64Encoded) {
        try {
          raw = utf8.decode(Buffer.from(raw, 'base64'));
        } catch (error) {
          throw new InvalidRequestError('request body is not valid UTF-8; send the JSON encoded as UTF-8', [], { cause: error });
        }
      }
      const bytes = Buffer.byteLength(raw, 'utf8');
      if (bytes > options.maxBytes) {
        throw new PayloadTooLargeError(`request body is ${bytes} bytes, over the limit of ${options.maxBytes}; store large data elsewhere and send a reference`);
      }
      if (raw.trim() === '') {
        throw new InvalidRequestError('request body is empty; send a JSON object');
      }
      if (nestsDeeperThan(raw, MAX_JSON_DEPTH)) {
        throw new InvalidRequestError(`request body is nested more than ${MAX_JSON_DEPTH} levels deep; flatten the payload`);
      }
      try {
        (event as unknown as JsonEvent).body = JSON.parse(raw);
      } catch (error) {
        throw new InvalidRequestError(`request body is not valid JSON (${describeJsonError(error)}); send a JSON object`, [], { cause: error });
      }
    },
  };
}
