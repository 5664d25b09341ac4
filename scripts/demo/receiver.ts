import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A webhook receiver on 127.0.0.1 for the demo and the end-to-end tests. The path sets the
 * response status: `/ok/<key>` returns 200, `/flaky/<key>?failures=N` returns 500 to the first N
 * deliveries of that key and 200 after, `/missing/<key>` returns 404, `/broken/<key>` always 500,
 * `/slow/<key>?ms=N` returns 200 after N milliseconds. On every other path `?ms=N` delays the
 * response by N milliseconds as well. It records every delivery per key, when each arrived and
 * when its response was sent.
 */
export interface Receiver {
  url: string;
  /** Deliveries of one key, as their HTTP statuses in arrival order. */
  deliveries(key: string): number[];
  /** Arrival times (ms since epoch) of one key's deliveries. */
  arrivals(key: string): number[];
  /** Times (ms since epoch) the responses to one key's deliveries were sent. */
  finishes(key: string): number[];
  totals(): { deliveries: number; keys: number; successKeys: number; duplicateSuccesses: number };
  /** Deliveries that arrived and have no response yet. */
  inFlight(): number;
  stop(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const statuses = new Map<string, number[]>();
  const times = new Map<string, number[]>();
  const finished = new Map<string, number[]>();
  let inFlight = 0;
  const respond = (key: string, response: import('node:http').ServerResponse, status: number) => {
    inFlight -= 1;
    finished.set(key, [...(finished.get(key) ?? []), Date.now()]);
    response.statusCode = status;
    response.end(status === 200 ? 'ok' : 'no');
  };

  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const [, kind = '', key = ''] = url.pathname.split('/');
      const seen = statuses.get(key) ?? [];
      let status: number;
      switch (kind) {
        case 'ok':
          status = 200;
          break;
        case 'flaky':
          status = seen.length < Number(url.searchParams.get('failures') ?? 1) ? 500 : 200;
          break;
        case 'missing':
          status = 404;
          break;
        case 'slow':
          status = 200;
          break;
        default:
          status = 500;
      }
      seen.push(status);
      statuses.set(key, seen);
      times.set(key, [...(times.get(key) ?? []), Date.now()]);
      inFlight += 1;
      const delayMs = Number(url.searchParams.get('ms') ?? (kind === 'slow' ? 100 : 0));
      if (delayMs > 0) {
        setTimeout(() => respond(key, response, status), delayMs);
        return;
      }
      respond(key, response, status);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    deliveries: (key) => statuses.get(key) ?? [],
    arrivals: (key) => times.get(key) ?? [],
    finishes: (key) => finished.get(key) ?? [],
    totals: () => {
      let deliveries = 0;
      let successKeys = 0;
      let duplicateSuccesses = 0;
      for (const list of statuses.values()) {
        deliveries += list.length;
        const successes = list.filter((status) => status === 200).length;
        successKeys += successes > 0 ? 1 : 0;
        duplicateSuccesses += Math.max(0, successes - 1);
      }
      return { deliveries, keys: statuses.size, successKeys, duplicateSuccesses };
    },
    inFlight: () => inFlight,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
