import { postJson } from './http-client';

type BatchEntry = { id: string; state: string } | { error: { message: string } };

export interface EnqueueBatchOptions {
  /** The API key sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Maximum number of requests for the batch (default 1). */
  attempts?: number;
  /** Pause before each repeat in milliseconds (default 1000). */
  retryDelayMs?: number;
  /** Timeout of each request in milliseconds (default 30,000). */
  timeoutMs?: number;
  /** Receives one line per repeat, with the reason. */
  onRetry?: (line: string) => void;
  /** Aborting stops the repeats; the call then throws the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Enqueues up to 100 jobs with one `POST /queues/{queue}/jobs/batch`; returns their ids in request
 * order. With `attempts` above 1 (default 1), a failed request or rejected entries are sent again,
 * so the requests must carry idempotency keys: a repeat then returns the job the first one created.
 * Throws naming the first entry that still has no id after the last attempt.
 */
export async function enqueueBatch(httpEndpoint: string, queue: string, requests: unknown[], options: EnqueueBatchOptions = {}): Promise<string[]> {
  const attempts = options.attempts ?? 1;
  const ids = new Array<string | undefined>(requests.length);
  let lastProblem = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    const pending = requests.map((request, index) => ({ request, index })).filter(({ index }) => ids[index] === undefined);
    if (pending.length === 0) {
      break;
    }
    if (attempt > 1) {
      options.onRetry?.(`enqueue attempt ${attempt} of ${attempts} for ${pending.length} jobs after: ${lastProblem}`);
      await new Promise((resolve) => setTimeout(resolve, options.retryDelayMs ?? 1_000));
    }
    options.signal?.throwIfAborted();
    try {
      const response = await postJson<{ jobs?: BatchEntry[] }>(`${httpEndpoint}/queues/${queue}/jobs/batch`, { jobs: pending.map(({ request }) => request) }, options.apiKey, options.timeoutMs ?? 30_000);
      if (response.status !== 202 || response.body.jobs === undefined) {
        lastProblem = `HTTP ${response.status}: ${JSON.stringify(response.body).slice(0, 300)}`;
        continue;
      }
      response.body.jobs.forEach((entry, offset) => {
        const { index } = pending[offset] as { index: number };
        if ('id' in entry) {
          ids[index] = entry.id;
        } else {
          lastProblem = `job ${index} rejected: ${entry.error.message}`;
        }
      });
    } catch (error) {
      lastProblem = `request failed: ${(error as Error).message}`;
    }
  }
  const missing = ids.findIndex((id) => id === undefined);
  if (missing >= 0) {
    throw new Error(`enqueue of batch entry ${missing} failed after ${attempts} attempts: ${lastProblem}`);
  }
  return ids as string[];
}
