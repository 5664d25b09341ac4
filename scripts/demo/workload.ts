/** Webhook workloads for the demo and the fault suite: mostly 200, some 500 first (retried), a few 404 (dead), some delayed. */

export type JobKind = 'ok' | 'flaky' | 'missing';

export interface PlannedJob {
  key: string;
  kind: JobKind;
  /** Number of 500 responses before the receiver returns 200 (flaky jobs only). */
  failures: number;
  delaySeconds: number;
  request: {
    type: 'http';
    payload: { url: string; method: 'POST'; body: unknown };
    delaySeconds?: number;
    maxAttempts?: number;
    idempotencyKey?: string;
  };
}

export interface WorkloadOptions {
  /** Prefix of each job's key (default `job`), so runs against one receiver do not share keys. */
  keyPrefix?: string;
  /** Attempts each job may use (default: the `http` job type's). */
  maxAttempts?: number;
  /** Sends each job's key as its idempotency key, so a repeated enqueue returns the first job. */
  idempotencyKeys?: boolean;
  /** Delay of each receiver response in milliseconds (default 0), so deliveries overlap. */
  responseDelayMs?: number;
}

/**
 * Plans `count` jobs against `receiverUrl`: 5 % get 404, 10 % get 500 once or twice before 200,
 * 10 % are delayed 5-20 s.
 */
export function planWorkload(count: number, receiverUrl: string, options: WorkloadOptions = {}): PlannedJob[] {
  const prefix = options.keyPrefix ?? 'job';
  const query = (options.responseDelayMs ?? 0) > 0 ? `ms=${options.responseDelayMs}` : '';
  return Array.from({ length: count }, (_, index) => {
    const key = `${prefix}-${index}`;
    const slot = index % 20;
    let kind: JobKind = 'ok';
    if (slot === 0) {
      kind = 'missing';
    } else if (slot === 1 || slot === 2) {
      kind = 'flaky';
    }
    const failures = kind === 'flaky' ? slot : 0;
    const delaySeconds = index % 10 === 3 ? 5 + (index % 4) * 5 : 0;
    const path = kind === 'flaky' ? `/flaky/${key}?failures=${failures}${query ? `&${query}` : ''}` : `/${kind}/${key}${query ? `?${query}` : ''}`;
    return {
      key,
      kind,
      failures,
      delaySeconds,
      request: {
        type: 'http',
        payload: { url: `${receiverUrl}${path}`, method: 'POST', body: { key } },
        ...(delaySeconds > 0 ? { delaySeconds } : {}),
        ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
        ...(options.idempotencyKeys ? { idempotencyKey: key } : {}),
      },
    };
  });
}

/** Deliveries the receiver needs to see for the job to finish: the 500s of a flaky job, then one more. */
export function expectedDeliveries(job: PlannedJob): number {
  return job.kind === 'flaky' ? job.failures + 1 : 1;
}

/** The state the job must end in: 404 fails it permanently, every other kind completes. */
export function expectedState(job: PlannedJob): 'completed' | 'dead' {
  return job.kind === 'missing' ? 'dead' : 'completed';
}
