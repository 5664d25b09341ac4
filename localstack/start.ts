/**
 * `npm start`: starts the embedded local stack and `serverless offline`, prints the endpoints and
 * runs until Ctrl-C, then stops every process it started.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalStack } from './stack';

/** File `npm start` writes the bootstrap API key to, for other terminals (git ignores `.local-stack/`). */
const API_KEY_FILE = join(__dirname, '..', '.local-stack', 'api-key');

// The lockfile pins the AWS SDK; its notice that releases after January 2027 need Node 22 is not actionable here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

function log(line: string): void {
  process.stdout.write(`[sluice] ${line}\n`);
}

async function main(): Promise<void> {
  // Services already running (LocalStack's compose file, a real MongoDB) replace the embedded ones.
  const stack = await startLocalStack({
    ...(process.env.MONGODB_URI ? { mongodbUri: process.env.MONGODB_URI } : {}),
    ...(process.env.SQS_ENDPOINT ? { sqsEndpoint: process.env.SQS_ENDPOINT } : {}),
    ...(process.env.REDIS_CLUSTER_NODES ? { redisNodes: process.env.REDIS_CLUSTER_NODES.split(',').map((node) => node.trim()) } : {}),
    onProgress: log,
    onFunctionLog: process.env.SLUICE_SHOW_FUNCTION_LOGS === '1' ? (line) => process.stdout.write(`${line}\n`) : undefined,
  });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      return;
    }
    stopping = true;
    log(`${signal} received; stopping the local stack`);
    stack.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));

  mkdirSync(join(__dirname, '..', '.local-stack'), { recursive: true });
  writeFileSync(API_KEY_FILE, `${stack.apiKey}\n`, { mode: 0o600 });

  log('ready');
  log(`  HTTP API        ${stack.httpEndpoint}  (POST /queues/{queue}/jobs, GET /jobs/{id}, GET /queues/{queue}/stats)`);
  log(`  dashboard       ${stack.httpEndpoint}/dashboard`);
  log(`  Lambda invoke   ${stack.lambdaEndpoint}`);
  log(`  SQS             ${stack.sqsEndpoint}`);
  log(`  MongoDB         ${stack.mongodbUri}${stack.mongoIsTestDouble ? '  (wire-protocol test double)' : ''}`);
  log(`  Redis Cluster   ${stack.redisNodes.join(',')}`);
  log(`  queues          ${stack.queues.map((queue) => queue.name).join(', ')}`);
  log(`  API key         ${stack.apiKey}  (every queue, every action; also in .local-stack/api-key)`);
  log(`try (with a webhook receiver on 127.0.0.1:8080, see README): curl -s -X POST -H "authorization: Bearer $(cat .local-stack/api-key)" ` +
    `-H 'content-type: application/json' -d '{"type":"http","payload":{"url":"http://127.0.0.1:8080/hook","body":{"order":42}}}' ${stack.httpEndpoint}/queues/webhooks/jobs`);
  log('press Ctrl-C to stop');
}

main().catch((error: unknown) => {
  process.stderr.write(`[sluice] failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
