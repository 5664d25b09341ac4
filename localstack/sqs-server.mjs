#!/usr/bin/env node
/**
 * Runs the fauxqs SQS emulator (1.9.x) on 127.0.0.1 and prints one JSON line to stdout when it listens:
 * `{"event":"ready","port":4566,"endpoint":"http://127.0.0.1:4566"}`. A start failure prints
 * `{"event":"error","code":"EADDRINUSE","message":"..."}` and exits with status 1.
 *
 * Usage: node localstack/sqs-server.mjs [--port 4566] [--region us-east-1]   (port 0 picks a free port)
 *
 * fauxqs is ESM only, so this file is plain ESM JavaScript that CommonJS code and jest start as a child
 * process (see sqs.ts). The fauxqs CLI binds 0.0.0.0, which is why the app is built and bound here.
 *
 * Queue URLs: fauxqs stores each queue under `http://sqs.<region>.localhost:<port>/<account>/<name>` and
 * finds it only by that exact string, while `sqs.<region>.localhost` does not resolve on every machine and
 * clients often write `http://127.0.0.1:4566/...` or `http://localhost:4566/...` themselves. So this server
 * returns `http://127.0.0.1:<port>/<account>/<name>` from CreateQueue, GetQueueUrl and ListQueues, and
 * rewrites the QueueUrl of every request to the stored form, whatever host it names.
 */
import { parseArgs } from 'node:util';
import { buildApp } from 'fauxqs';

const LOOPBACK_HOST = '127.0.0.1';
/** The host fauxqs puts in stored queue URLs after `sqs.<region>.`. */
const STORED_URL_HOST = 'localhost';
const MAX_PORT = 65_535;

/** `/<12-digit account>/<queue name>`, as AWS and fauxqs write queue URL paths. */
const ACCOUNT_PATH = /^\/(\d{12})\/([^/]+)\/?$/;
/** `/queue/<region>/<account>/<name>`, the path style LocalStack returns with `SQS_ENDPOINT_STRATEGY=path`. */
const LOCALSTACK_PATH = /^\/queue\/([a-z0-9-]+)\/(\d{12})\/([^/]+)\/?$/;
/** The region in a host such as `sqs.eu-west-1.localhost` or `sqs.us-east-1.localhost.localstack.cloud`. */
const SQS_HOST_REGION = /^sqs\.([a-z0-9-]+)\./;
/** The region in a SigV4 `Authorization` header: `Credential=<key>/<date>/<region>/sqs/aws4_request`. */
const AUTHORIZATION_REGION = /Credential=\S+?\/\d{8}\/([^/]+)\//;

/** SQS actions whose response carries queue URLs, and the response field that contains them. */
const URL_RESPONSE_FIELDS = new Map([
  ['AmazonSQS.CreateQueue', 'QueueUrl'],
  ['AmazonSQS.GetQueueUrl', 'QueueUrl'],
  ['AmazonSQS.ListQueues', 'QueueUrls'],
]);

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string', default: '4566' },
        region: { type: 'string', default: 'us-east-1' },
      },
    }));
  } catch (error) {
    fail('EINVAL', `${error.message}; usage: node localstack/sqs-server.mjs [--port 4566] [--region us-east-1]`, 2);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > MAX_PORT) {
    fail('EINVAL', `--port ${values.port} is invalid; use an integer from 0 to ${MAX_PORT} (0 picks a free port)`, 2);
  }
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(values.region)) {
    fail('EINVAL', `--region ${values.region} is invalid; use an AWS region name such as us-east-1`, 2);
  }
  return { port, region: values.region };
}

function fail(code, message, exitCode) {
  process.stdout.write(`${JSON.stringify({ event: 'error', code, message })}\n`);
  process.exit(exitCode);
}

/**
 * Maps any URL of a queue to the form fauxqs stores, or returns it unchanged when it is not a queue URL
 * (fauxqs then returns QueueDoesNotExist as usual). The region comes from the URL host, then from the
 * request signature, then from --region.
 */
function storedQueueUrl(queueUrl, request, port, defaultRegion) {
  let url;
  try {
    url = new URL(queueUrl);
  } catch {
    return queueUrl;
  }
  const localStackPath = LOCALSTACK_PATH.exec(url.pathname);
  if (localStackPath) {
    const [, region, account, name] = localStackPath;
    return `http://sqs.${region}.${STORED_URL_HOST}:${port}/${account}/${name}`;
  }
  const accountPath = ACCOUNT_PATH.exec(url.pathname);
  if (!accountPath) {
    return queueUrl;
  }
  const [, account, name] = accountPath;
  const region =
    SQS_HOST_REGION.exec(url.hostname)?.[1] ??
    AUTHORIZATION_REGION.exec(request.headers.authorization ?? '')?.[1] ??
    defaultRegion;
  return `http://sqs.${region}.${STORED_URL_HOST}:${port}/${account}/${name}`;
}

/** Maps a stored queue URL to the one clients get: `http://127.0.0.1:<port>/<account>/<name>`. */
function publicQueueUrl(storedUrl, port) {
  const path = ACCOUNT_PATH.exec(new URL(storedUrl).pathname);
  return path ? `http://${LOOPBACK_HOST}:${port}/${path[1]}/${path[2]}` : storedUrl;
}

async function main() {
  const { port, region } = parseOptions();
  const app = buildApp({ logger: false, host: STORED_URL_HOST, defaultRegion: region });
  let listeningPort = port;

  app.addHook('preHandler', async (request) => {
    const body = request.body;
    if (body !== null && typeof body === 'object' && typeof body.QueueUrl === 'string') {
      body.QueueUrl = storedQueueUrl(body.QueueUrl, request, listeningPort, region);
    }
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const field = URL_RESPONSE_FIELDS.get(request.headers['x-amz-target']);
    if (field === undefined || reply.statusCode !== 200 || typeof payload !== 'string') {
      return payload;
    }
    const response = JSON.parse(payload);
    const value = response[field];
    if (typeof value === 'string') {
      response[field] = publicQueueUrl(value, listeningPort);
    } else if (Array.isArray(value)) {
      response[field] = value.map((url) => publicQueueUrl(url, listeningPort));
    }
    return JSON.stringify(response);
  });

  try {
    await app.listen({ port, host: LOOPBACK_HOST });
  } catch (error) {
    const message =
      error.code === 'EADDRINUSE'
        ? `port ${port} on ${LOOPBACK_HOST} is in use; stop the process listening on it (find it with \`ss -ltnp 'sport = :${port}'\`) or choose another port`
        : `cannot listen on ${LOOPBACK_HOST}:${port}: ${error.message}`;
    fail(error.code ?? 'ERROR', message, 1);
  }
  listeningPort = app.server.address().port;

  let closing;
  const shutdown = () => {
    closing ??= app.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // When a parent started this server with an IPC channel, the channel closes as the parent exits:
  // the emulator stops with it instead of holding the port.
  if (process.connected) {
    process.on('disconnect', shutdown);
  }

  process.stdout.write(
    `${JSON.stringify({ event: 'ready', port: listeningPort, endpoint: `http://${LOOPBACK_HOST}:${listeningPort}`, region })}\n`,
  );
}

await main();
