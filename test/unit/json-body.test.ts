import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { httpErrors } from '../../lib/http/errors-middleware';
import { jsonBody, type JsonEvent } from '../../lib/http/json-body';
import { jsonResponse } from '../../lib/http/responses';
import { logger } from '../../lib/observability/logger';

const handler = middy<APIGatewayProxyEventV2>()
  .use(httpErrors(logger))
  .use(jsonBody({ maxBytes: 64 }))
  .handler(async (event) => jsonResponse(200, { echo: (event as unknown as JsonEvent).body }));

function event(body: string | undefined, headers: Record<string, string>, isBase64Encoded = false): APIGatewayProxyEventV2 {
  return { body, headers, isBase64Encoded } as unknown as APIGatewayProxyEventV2;
}

async function call(body: string | undefined, headers: Record<string, string> = { 'content-type': 'application/json' }, isBase64Encoded = false) {
  const response = (await handler(event(body, headers, isBase64Encoded), {} as Context)) as { statusCode: number; body: string };
  return { status: response.statusCode, body: JSON.parse(response.body) as { echo?: unknown; error?: { message: string } } };
}

describe('jsonBody middleware', () => {
  it('parses a JSON body', async () => {
    await expect(call('{"a":1}')).resolves.toEqual({ status: 200, body: { echo: { a: 1 } } });
  });

  it('accepts a charset parameter and base64 bodies', async () => {
    const encoded = Buffer.from('{"b":2}').toString('base64');
    await expect(call(encoded, { 'Content-Type': 'application/json; charset=utf-8' }, true)).resolves.toEqual({ status: 200, body: { echo: { b: 2 } } });
  });

  it('answers 415 for another content type', async () => {
    const response = await call('{"a":1}', { 'content-type': 'text/plain' });
    expect(response.status).toBe(415);
    expect(response.body.error?.message).toContain('"text/plain" is not supported; send the body as JSON');
  });

  it('answers 415 without a content type', async () => {
    expect((await call('{"a":1}', {})).status).toBe(415);
  });

  it('answers 413 over the size limit', async () => {
    const response = await call(JSON.stringify({ text: 'x'.repeat(100) }));
    expect(response.status).toBe(413);
    expect(response.body.error?.message).toContain('over the limit of 64');
  });

  it('answers 400 for malformed JSON', async () => {
    const response = await call('{"a":');
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toContain('request body is not valid JSON');
  });

  it('answers 400 for an empty body', async () => {
    expect((await call(undefined)).status).toBe(400);
  });
});
