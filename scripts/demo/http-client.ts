/** Small JSON-over-HTTP helpers for the demo and the end-to-end tests. */

/** Returns the `Authorization` header of an API key, or no header without one. */
export function authHeaders(apiKey: string | undefined): Record<string, string> {
  return apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` };
}

/** Posts `body` as JSON with the API key and parses the JSON reply; with `timeoutMs`, aborts the request after that long. */
export async function postJson<T>(url: string, body: unknown, apiKey?: string, timeoutMs?: number): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders(apiKey) },
    body: JSON.stringify(body),
    ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

export async function getJson<T>(url: string, apiKey?: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { headers: authHeaders(apiKey) });
  return { status: response.status, body: (await response.json()) as T };
}

/** Runs `worker` over `items` with at most `concurrency` calls in flight; results keep the input order. */
export async function mapConcurrent<T, R>(items: T[], concurrency: number, worker: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await worker(items[index] as T, index);
      }
    }),
  );
  return results;
}
