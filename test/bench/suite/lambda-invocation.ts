/** Lambda events, contexts and a meter for calling Lambda handlers in process, as the Sluice driver does. */
import { randomUUID } from 'node:crypto';
import { encodeGrants } from '../../../lib/auth/grants';
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { cpuMicrosSince } from './stats';

/** A Lambda function's timeout as the handlers see it; the default queue's timeout is 30 s. */
const REMAINING_TIME_MS = 30_000;

/** Returns a Lambda context for `functionName` with a fresh request id and 30 s left. */
export function lambdaContext(functionName: string): Context {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => REMAINING_TIME_MS,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Returns an HTTP API (payload v2) POST event for `/queues/{queue}<path>` with a JSON body. */
export function httpEvent(queue: string, path: string, body: unknown): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: `/queues/${queue}${path}`,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    pathParameters: { queue },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    // The grants the API key authorizer passes on AWS; the benchmark measures the handler, not the authorizer.
    requestContext: {
      requestId: randomUUID(),
      http: { method: 'POST', path: `/queues/${queue}${path}` },
      authorizer: { lambda: encodeGrants({ keyId: 'bench', queues: [queue], actions: ['enqueue'] }) },
    },
  } as unknown as APIGatewayProxyEventV2;
}

/** CPU time and wall time of the handler invocations of one phase. */
export class InvocationMeter {
  invocations = 0;
  cpuMicros = 0;
  /** Wall time of each invocation, in milliseconds. */
  readonly durationsMs: number[] = [];

  /** Runs one invocation and adds its CPU time and duration. Only exact while no other work runs in this process. */
  async measure<T>(invoke: () => Promise<T>): Promise<T> {
    const cpu = process.cpuUsage();
    const startedAt = performance.now();
    const result = await invoke();
    this.durationsMs.push(performance.now() - startedAt);
    this.cpuMicros += cpuMicrosSince(cpu);
    this.invocations += 1;
    return result;
  }
}
