/** The demo's 1,000 webhook jobs: mostly 200, some 500 first (retried), a few 404 (dead), some delayed. */

export type JobKind = 'ok' | 'flaky' | 'missing';

export interface PlannedJob {
  key: string;
  kind: JobKind;
  /** Number of 500 responses before the receiver returns 200 (flaky jobs only). */
  failures: number;
  delaySeconds: number;
  request: { type: 'http'; payload: { url: string; method: 'POST'; body: unknown }; delaySeconds?: number };
}

/** Plans `count` jobs against `receiverUrl`: 5 % get 404, 10 % get 500 once or twice before 200, 10 % are delayed 5-20 s. */
export function planWorkload(count: number, receiverUrl: string): PlannedJob[] {
  return Array.from({ length: count }, (_, index) => {
    const key = `job-${index}`;
    const slot = index % 20;
    let kind: JobKind = 'ok';
    if (slot === 0) {
      kind = 'missing';
    } else if (slot === 1 || slot === 2) {
      kind = 'flaky';
    }
    const failures = kind === 'flaky' ? slot : 0;
    const delaySeconds = index % 10 === 3 ? 5 + (index % 4) * 5 : 0;
    const path = kind === 'flaky' ? `/flaky/${key}?failures=${failures}` : `/${kind}/${key}`;
    return {
      key,
      kind,
      failures,
      delaySeconds,
      request: {
        type: 'http',
        payload: { url: `${receiverUrl}${path}`, method: 'POST', body: { key } },
        ...(delaySeconds > 0 ? { delaySeconds } : {}),
      },
    };
  });
}
