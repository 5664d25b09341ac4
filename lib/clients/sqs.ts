import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SluiceConfig } from '../config/env';

/** The SDK's own retry budget per request (first try included). */
const SQS_MAX_ATTEMPTS = 3;
/** A TCP and TLS handshake to SQS takes milliseconds; longer means the network is gone. */
const SQS_CONNECTION_TIMEOUT_MS = 2_000;
/** Sockets per agent; a batch's sends run in parallel. The SDK's default is also 50. */
const SQS_MAX_SOCKETS = 50;

/**
 * Creates the container's SQS client. Its agents keep connections alive between invocations, so a
 * warm container skips the TLS handshake. The timeouts bound a request made on a container thawed
 * with stale sockets, and the SDK retries it on a fresh one.
 */
export function createSqsClient(config: SluiceConfig): SQSClient {
  const agentOptions = { keepAlive: true, maxSockets: SQS_MAX_SOCKETS };
  return new SQSClient({
    region: config.AWS_REGION,
    ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
    maxAttempts: SQS_MAX_ATTEMPTS,
    requestHandler: {
      connectionTimeout: SQS_CONNECTION_TIMEOUT_MS,
      requestTimeout: config.SQS_TIMEOUT_MS,
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    },
  });
}
