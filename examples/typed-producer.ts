/**
 * A typed producer: enqueues webhook jobs through the SDK and waits for their outcome.
 * Run `npm start` in one terminal, then `npx tsx examples/typed-producer.ts` in another.
 * SLUICE_URL (default http://127.0.0.1:3000) and SLUICE_API_KEY select the API.
 * It starts its own webhook receiver on 127.0.0.1, so it needs nothing else.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSluiceClient, SluiceApiError } from '../sdk';

async function main(): Promise<void> {
  const received: string[] = [];
  const receiver = createServer((request, response) => {
    received.push(`${request.method} ${request.url}`);
    request.resume();
    response.end('ok');
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const sluice = createSluiceClient({
    url: process.env.SLUICE_URL ?? 'http://127.0.0.1:3000',
    ...(process.env.SLUICE_API_KEY ? { apiKey: process.env.SLUICE_API_KEY } : {}),
  });

  // The payload type comes from the http job type's zod schema: a missing url or an unknown
  // method fails to compile.
  const single = await sluice.enqueue('webhooks', 'http', { url: `${hook}/orders/42`, body: { order: 42 } }, { priority: 5 });
  console.log(`enqueued ${single.id} (${single.state})`);

  const batch = await sluice.enqueueBatch('webhooks', [
    { type: 'http', payload: { url: `${hook}/orders/43`, method: 'PUT' } },
    { type: 'http', payload: { url: `${hook}/orders/44` }, delaySeconds: 2 },
  ]);
  const ids = [single.id, ...batch.flatMap((result) => ('id' in result ? [result.id] : []))];
  console.log(`enqueued a batch: ${batch.map((result) => ('id' in result ? result.state : result.error.message)).join(', ')}`);

  // The API validates too: a payload its schema rejects comes back as a 422 naming the field.
  try {
    await sluice.enqueue('webhooks', 'http', { url: 'ftp://127.0.0.1/not-http' });
  } catch (error) {
    if (!(error instanceof SluiceApiError)) throw error;
    console.log(`rejected as expected: ${error.status} ${error.problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`);
  }

  const deadline = Date.now() + 30_000;
  for (;;) {
    const jobs = await Promise.all(ids.map((id) => sluice.getJob(id)));
    const done = jobs.every((job) => job.state === 'completed' || job.state === 'dead');
    if (done || Date.now() > deadline) {
      for (const job of jobs) console.log(`${job.id} ${job.state} after ${job.attempts} attempt(s)`);
      console.log(`receiver got: ${received.join(', ')}`);
      receiver.close();
      process.exitCode = done && jobs.every((job) => job.state === 'completed') ? 0 : 1;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
