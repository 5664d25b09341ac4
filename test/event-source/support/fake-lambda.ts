import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSEvent } from 'aws-lambda';

/** What a fake function returns: a JSON payload, or an error the way the Lambda runtime reports one. */
export type FakeResult = { payload?: unknown } | { error: { errorType: string; errorMessage: string } } | { rawPayload: string };

export type FakeFunction = (event: SQSEvent) => FakeResult | Promise<FakeResult>;

export interface FakeFunctionState {
  /** Events in arrival order. */
  events: SQSEvent[];
  /** Request body size in bytes of each invocation, in arrival order. */
  payloadBytes: number[];
  inFlight: number;
  maxInFlight: number;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * A stand-in for the Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) on 127.0.0.1.
 * Each test defines its functions; an unknown name gets 404 ResourceNotFoundException as from Lambda.
 */
export class FakeLambda {
  private readonly functions = new Map<string, { run: FakeFunction; state: FakeFunctionState }>();
  private server: Server | undefined;

  get endpoint(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (address === null || address === undefined) {
      throw new Error('FakeLambda is not listening; call start() first');
    }
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceException' });
        response.end(JSON.stringify({ message: String(error) }));
      });
    });
    this.server.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => this.server?.once('listening', resolve));
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) {
      return;
    }
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Defines (or replaces) the function `name` and returns its live state. */
  define(name: string, run: FakeFunction): FakeFunctionState {
    const state: FakeFunctionState = { events: [], payloadBytes: [], inFlight: 0, maxInFlight: 0 };
    this.functions.set(name, { run, state });
    return state;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = INVOKE_PATH.exec(request.url ?? '');
    const name = match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
    const fn = name === undefined ? undefined : this.functions.get(name);
    const body = await readBody(request);
    if (request.method !== 'POST' || fn === undefined) {
      response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
      response.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name ?? request.url ?? ''}` }));
      return;
    }

    const event = JSON.parse(body) as SQSEvent;
    fn.state.events.push(event);
    fn.state.payloadBytes.push(Buffer.byteLength(body));
    fn.state.inFlight += 1;
    fn.state.maxInFlight = Math.max(fn.state.maxInFlight, fn.state.inFlight);
    let result: FakeResult;
    try {
      result = await fn.run(event);
    } finally {
      fn.state.inFlight -= 1;
    }

    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
    if ('error' in result) {
      headers['x-amz-function-error'] = 'Unhandled';
      response.writeHead(200, headers);
      response.end(JSON.stringify({ ...result.error, trace: [] }));
    } else if ('rawPayload' in result) {
      response.writeHead(200, headers);
      response.end(result.rawPayload);
    } else {
      response.writeHead(200, headers);
      // A handler that returns undefined yields the JSON text `null`, as in the Node.js runtime.
      response.end(JSON.stringify(result.payload ?? null));
    }
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
