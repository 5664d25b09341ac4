// Runs the fauxqs SQS emulator on 127.0.0.1 and a free port, then prints `{"port":N}` on one line.
// fauxqs is ESM-only, so the CommonJS tests start it as a child process. The process exits on
// SIGTERM or when its stdin closes, so it cannot outlive the test run that started it.
import { buildApp } from 'fauxqs';

const app = buildApp({ logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
if (address === null || typeof address === 'string') {
  throw new Error(`fauxqs listened on an unexpected address: ${String(address)}`);
}
process.stdout.write(`${JSON.stringify({ port: address.port })}\n`);

let closing = false;
const shutdown = () => {
  if (closing) {
    return;
  }
  closing = true;
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.resume();
