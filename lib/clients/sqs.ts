import { SQSClient } from '@aws-sdk/client-sqs';
import type { SluiceConfig } from '../config/env';

/**
 * Creates the container's SQS client. The SDK's Node handler keeps connections alive by default;
 * the timeouts bound a request on a container thawed with stale sockets.
 */
export function createSqsClient(config: SluiceConfig): SQSClient {
  return new SQSClient({
    region: config.AWS_REGION,
    ...(config.SQS_ENDPOINT ? { endpoint: config.SQS_ENDPOINT } : {}),
    maxAttempts: 3,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: config.SQS_TIMEOUT_MS },
  });
}
