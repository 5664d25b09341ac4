/**
 * Compile-time checks of the SDK's payload typing. `tsc --noEmit` (the first step of `npm test`)
 * fails when a line marked `@ts-expect-error` compiles, or when a valid call does not. Nothing
 * here runs, because the calls sit in a function that is never called.
 */
import { z } from 'zod';
import { createSluiceClient, jobPayloadSchemas, type AnyJobTypes } from '../../sdk';

export async function payloadTypeChecks(): Promise<void> {
  const client = createSluiceClient({ url: 'http://127.0.0.1:3000' });

  // Valid: only url is required; method, headers and timeoutMs have defaults.
  await client.enqueue('webhooks', 'http', { url: 'https://example.test/hook' });
  await client.enqueue('webhooks', 'http', { url: 'https://example.test/hook', method: 'PUT', headers: { a: 'b' }, body: { any: 'json' }, timeoutMs: 500 }, { delaySeconds: 5, priority: 9, idempotencyKey: 'k' });

  // @ts-expect-error url is required by the http payload schema
  await client.enqueue('webhooks', 'http', { method: 'POST' });
  // @ts-expect-error method must be one of the HTTP methods of the schema
  await client.enqueue('webhooks', 'http', { url: 'https://example.test/hook', method: 'FETCH' });
  // @ts-expect-error timeoutMs is a number
  await client.enqueue('webhooks', 'http', { url: 'https://example.test/hook', timeoutMs: '500' });
  // @ts-expect-error the http payload schema is strict: unknown fields are rejected
  await client.enqueue('webhooks', 'http', { url: 'https://example.test/hook', retries: 3 });
  // @ts-expect-error "htp" is not a registered job type
  await client.enqueue('webhooks', 'htp', { url: 'https://example.test/hook' });
  // @ts-expect-error delaySeconds is a number of seconds
  await client.enqueue('webhooks', 'http', { url: 'https://example.test/hook' }, { delaySeconds: '5' });

  await client.enqueueBatch('webhooks', [{ type: 'http', payload: { url: 'https://example.test/a' }, priority: 1 }]);
  // @ts-expect-error each batch entry's payload is typed by its own type
  await client.enqueueBatch('webhooks', [{ type: 'http', payload: { href: 'https://example.test/a' } }]);

  // A producer's own job types, typed from its own schemas.
  const custom = createSluiceClient({ jobTypes: { ...jobPayloadSchemas, report: z.object({ reportId: z.string(), format: z.enum(['pdf', 'csv']) }) } });
  await custom.enqueue('default', 'report', { reportId: 'r-1', format: 'pdf' });
  // @ts-expect-error format must be pdf or csv
  await custom.enqueue('default', 'report', { reportId: 'r-1', format: 'doc' });

  // Tools that take the type at run time opt out of payload typing explicitly.
  const untyped = createSluiceClient<AnyJobTypes>();
  await untyped.enqueue('default', 'anything', { free: 'form' });
}
