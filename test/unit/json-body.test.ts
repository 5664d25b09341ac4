import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { fieldPathUpToPayload, httpErrors } from '../../lib/http/errors-middleware';
import { jsonBody, type JsonEvent } from '../../lib/http/json-body';
import { jsonResponse } from '../../lib/http/responses';
import { logger } from '../../lib/observability/logger';

const handler = middy<APIGatewayProxyEventV2>()
  .use(httpErrors(logger))
  .use(jsonBody({ maxBytes: 1_024 }))
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
    const response = await call(JSON.stringify({ text: 'x'.repeat(1_100) }));
    expect(response.status).toBe(413);
    expect(response.body.error?.message).toContain('over the limit of 1024');
  });

  it('answers 400 for malformed JSON', async () => {
    const response = await call('{"a":');
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toContain('request body is not valid JSON');
  });

  it('answers 400 for an empty body', async () => {
    expect((await call(undefined)).status).toBe(400);
  });

  it('quotes no part of the body in a JSON error', async () => {
    const response = await call('{"token": secret-value}');
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toContain('request body is not valid JSON');
    expect(response.body.error?.message).not.toContain('secret-value');
  });

  it('answers 415 for a charset other than UTF-8', async () => {
    const response = await call('{"a":1}', { 'content-type': 'application/json; charset=utf-16' });
    expect(response.status).toBe(415);
    expect(response.body.error?.message).toBe('charset "utf-16" is not supported; send the body as UTF-8 JSON');
  });

  it('answers 400 for a base64 body that is not UTF-8', async () => {
    const encoded = Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]).toString('base64');
    const response = await call(encoded, { 'content-type': 'application/json' }, true);
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toContain('request body is not valid UTF-8');
  });

  it('answers 400 for nesting over 64 levels', async () => {
    const response = await call(`${'['.repeat(65)}${']'.repeat(65)}`);
    expect(response.status).toBe(400);
    expect(response.body.error?.message).toBe('request body is nested more than 64 levels deep; flatten the payload');
  });

  it('accepts 64 levels and brackets inside strings', async () => {
    expect((await call(`${'['.repeat(64)}${']'.repeat(64)}`)).status).toBe(200);
    expect((await call(JSON.stringify({ text: `\\"${'['.repeat(100)}` }))).status).toBe(200);
  });
});

describe('fieldPathUpToPayload', () => {
  it.each([
    ['payload.body.$secret', 'payload.…'],
    ['jobs.2.payload.url', 'jobs.2.payload.…'],
    ['job.payload', 'job.payload'],
    ['delaySeconds', 'delaySeconds'],
  ])('logs %s as %s', (field, logged) => {
    expect(fieldPathUpToPayload(field)).toBe(logged);
  });
});
