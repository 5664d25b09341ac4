import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { encodeGrants, type Grants } from '../../lib/auth/grants';
import { getServices } from '../../lib/clients';
import { prepareDatabase } from '../../lib/store/collections';

/** An HTTP API handler as the functions export it (a middy handler). */
export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface HttpResponse {
  status: number;
  body: any;
}

/**
 * Prepares the database of the functions' services (`getServices()`, configured by
 * `function-environment.ts`) and returns a function that drops it and closes their clients.
 */
export async function prepareFunctionServices(): Promise<() => Promise<void>> {
  const services = getServices();
  const db = services.mongo.db(services.config.MONGODB_DATABASE);
  await prepareDatabase(db);
  return async () => {
    await db.dropDatabase();
    await services.mongo.close();
    services.redis.disconnect();
    services.sqs.destroy();
  };
}

/** A Lambda context for invoking handlers in tests; spread it to change a field. */
export const testLambdaContext = {
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test',
  memoryLimitInMB: '512',
  awsRequestId: 'test-request',
  logGroupName: 'test',
  logStreamName: 'test',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

/** Grants of a key with every action on every queue, as the authorizer passes them. */
export const ADMIN_GRANTS: Grants = { keyId: 'test-admin', queues: ['*'], actions: ['enqueue', 'read', 'admin'] };

/**
 * Invokes a handler with an HTTP API (payload v2) event and parses its JSON response. The event
 * carries the authorizer context of `grants` (default {@link ADMIN_GRANTS}); `grants: null` sends none.
 */
export async function invoke(
  handler: HttpHandler,
  request: { pathParameters?: Record<string, string>; query?: Record<string, string>; body?: unknown; grants?: Grants | null },
): Promise<HttpResponse> {
  const grants = request.grants === undefined ? ADMIN_GRANTS : request.grants;
  const event = {
    version: '2.0',
    rawPath: '/',
    rawQueryString: '',
    headers: request.body === undefined ? {} : { 'content-type': 'application/json' },
    pathParameters: request.pathParameters,
    queryStringParameters: request.query,
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
    isBase64Encoded: false,
    requestContext: { requestId: randomUUID(), ...(grants === null ? {} : { authorizer: { lambda: encodeGrants(grants) } }) },
  } as unknown as APIGatewayProxyEventV2;
  const response = await handler(event, testLambdaContext);
  return { status: response.statusCode ?? 0, body: JSON.parse(response.body ?? 'null') };
}
