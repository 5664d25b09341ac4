import type { FieldProblem } from '../lib/errors';
import { SluiceApiError, SluiceConnectionError } from './errors';

/** Retry settings of the client; every field has a default. */
export interface RetryOptions {
  /** Retries after the first attempt (default 3, so at most 4 attempts); 0 turns retries off. */
  retries: number;
  /** Upper bound of the first retry's delay in milliseconds (default 200); it doubles per retry. */
  baseDelayMs: number;
  /** Cap of any retry delay in milliseconds, `Retry-After` included (default 5000). */
  maxDelayMs: number;
  /** Time limit of one attempt in milliseconds, response body included (default 10000). */
  timeoutMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = { retries: 3, baseDelayMs: 200, maxDelayMs: 5_000, timeoutMs: 10_000 };

/**
 * When a failed request may be sent again. `always` suits requests whose repetition changes
 * nothing more (reads, and writes that carry an idempotency key). `unsent` allows a retry only
 * when the connection was refused, so the server cannot have received the request.
 */
export type RetryPolicy = 'always' | 'unsent';

/** Details passed to `onRetry` before the client waits and sends a request again. */
export interface RetryEvent {
  method: string;
  url: string;
  /** The attempt that failed, 1 for the first. */
  attempt: number;
  delayMs: number;
  /** The HTTP status, or the connection error code (such as ECONNRESET or TIMEOUT). */
  reason: string;
}

export interface TransportOptions extends RetryOptions {
  baseUrl: string;
  apiKey: string | undefined;
  onRetry: ((event: RetryEvent) => void) | undefined;
}

export interface ApiResponse<Body> {
  status: number;
  body: Body;
  /** Attempts it took, 1 when the first one succeeded. */
  attempts: number;
}

/** HTTP 429: throttled (API Gateway returns it before any function runs). */
const TOO_MANY_REQUESTS = 429;

/**
 * Returns the system error code of a failed fetch (undici wraps it in `cause`), `TIMEOUT`, or
 * `NETWORK_ERROR` with undici's reason (such as "bad port") when there is no code.
 */
function connectionErrorCode(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return 'TIMEOUT';
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') {
    return cause.code;
  }
  return typeof cause?.message === 'string' ? `NETWORK_ERROR (${cause.message})` : 'NETWORK_ERROR';
}

/** Parses a `Retry-After` header given in seconds; HTTP dates are ignored. */
function retryAfterMs(header: string | null): number | undefined {
  return header !== null && /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : undefined;
}

/** Returns the delay before retry number `retry` (1-based): full jitter over an exponential bound. */
export function backoffDelayMs(retry: number, options: RetryOptions, random: () => number = Math.random): number {
  const bound = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(random() * bound);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') {
    return null;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function apiError(method: string, url: string, status: number, body: unknown): SluiceApiError {
  const error = (body as { error?: { message?: unknown; problems?: unknown } } | null)?.error;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}${typeof body === 'string' && body !== '' ? `: ${body.slice(0, 200)}` : ''}`;
  const problems = Array.isArray(error?.problems) ? (error.problems as FieldProblem[]) : [];
  return new SluiceApiError({ status, method, url, message: `${method} ${url} returned ${status}: ${message}`, problems, body });
}

/** One failed attempt: whether another may follow, what to report, and what to throw after the last. */
interface FailedAttempt {
  retryable: boolean;
  reason: string;
  error: Error;
  /** The server's `Retry-After`, when it sent one. */
  retryAfterMs?: number;
}

/** Sends one attempt; returns the 2xx response or describes the failure. */
async function attemptRequest<Body>(
  options: TransportOptions,
  request: { method: string; url: string; init: RequestInit; policy: RetryPolicy },
  attempt: number,
): Promise<ApiResponse<Body> | FailedAttempt> {
  const { method, url, policy } = request;
  let response: Response;
  let parsed: unknown;
  try {
    response = await fetch(url, { ...request.init, signal: AbortSignal.timeout(options.timeoutMs) });
    parsed = await readBody(response);
  } catch (error) {
    const code = connectionErrorCode(error);
    // A refused connection never reached the server; after any other failure the server may have processed the request.
    return {
      retryable: policy === 'always' || code === 'ECONNREFUSED',
      reason: code,
      error: new SluiceConnectionError({ method, url, code, attempts: attempt, cause: error }),
    };
  }
  if (response.ok) {
    return { status: response.status, body: parsed as Body, attempts: attempt };
  }
  // A throttled request (429) was not processed, so it is safe to send again under either policy.
  const retryable = response.status === TOO_MANY_REQUESTS || (policy === 'always' && response.status >= 500);
  const retryAfter = retryAfterMs(response.headers.get('retry-after'));
  return {
    retryable,
    reason: `HTTP ${response.status}`,
    error: apiError(method, url, response.status, parsed),
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
  };
}

/**
 * Sends one API request with JSON in and out, retrying 429, 5xx and connection errors with
 * exponential backoff and full jitter as `policy` allows. Returns the 2xx response; throws
 * {@link SluiceApiError} for an error status and {@link SluiceConnectionError} when no response came.
 */
export async function sendRequest<Body>(options: TransportOptions, method: string, path: string, body: unknown, policy: RetryPolicy): Promise<ApiResponse<Body>> {
  const url = `${options.baseUrl}${path}`;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  if (options.apiKey !== undefined) {
    headers.authorization = `Bearer ${options.apiKey}`;
  }
  const init: RequestInit = { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };

  for (let attempt = 1; ; attempt += 1) {
    const outcome = await attemptRequest<Body>(options, { method, url, init, policy }, attempt);
    if (!('retryable' in outcome)) {
      return outcome;
    }
    if (!outcome.retryable || attempt > options.retries) {
      throw outcome.error;
    }
    const delayMs = Math.min(options.maxDelayMs, outcome.retryAfterMs ?? backoffDelayMs(attempt, options));
    options.onRetry?.({ method, url, attempt, delayMs, reason: outcome.reason });
    await sleep(delayMs);
  }
}
