import { z } from 'zod';
import { PermanentJobError, RetryableJobError } from '../../errors';
import { defineJobType } from '../registry';

/** Webhook timeout default and cap; the cap stays under the shortest sensible function timeout. */
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 60_000;
/** Bytes of the response body kept in the job's result. */
const MAX_RESULT_BODY_CHARS = 1024;
/** HTTP statuses a later attempt may fix: request timeout, too many requests, and every 5xx. */
const RETRYABLE_STATUSES = new Set([408, 429]);

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/**
 * Link-local addresses (169.254.0.0/16 and fe80::/10) hold cloud instance metadata services; a
 * webhook job must not reach them.
 * TODO: a host name that resolves to a link-local address is not caught. Resolving the name and
 * checking the address before connecting would close that gap.
 */
function isLinkLocalHost(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return /^169\.254\.\d{1,3}\.\d{1,3}$/.test(bare) || /^fe[89ab][0-9a-f]:/.test(bare);
}

export const httpPayloadSchema = z.strictObject({
  url: z
    .url({
      protocol: /^https?$/,
      error: (issue) => (issue.input === undefined ? 'is required: the webhook URL' : 'must be an absolute http:// or https:// URL'),
    })
    .refine((value) => !URL.canParse(value) || !isLinkLocalHost(new URL(value).hostname), 'must not point at a link-local (metadata) address'),
  method: z.enum(HTTP_METHODS).default('POST'),
  headers: z.record(z.string(), z.string()).default({}),
  /** A string is sent as is; any other JSON value is sent as JSON. */
  body: z.unknown().optional(),
  timeoutMs: z.number().int().min(1).max(MAX_TIMEOUT_MS).default(DEFAULT_TIMEOUT_MS),
});

export type HttpPayload = z.infer<typeof httpPayloadSchema>;

export interface HttpResult {
  status: number;
  body: string;
}

/** Parses a `Retry-After` header given in seconds; HTTP dates are ignored. */
function parseRetryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) {
    return undefined;
  }
  return Number(header.trim()) * 1000;
}

function encodeBody(payload: HttpPayload): { body: string | undefined; headers: Record<string, string> } {
  if (payload.body === undefined || payload.method === 'GET' || payload.method === 'HEAD') {
    return { body: undefined, headers: payload.headers };
  }
  if (typeof payload.body === 'string') {
    return { body: payload.body, headers: payload.headers };
  }
  const hasContentType = Object.keys(payload.headers).some((name) => name.toLowerCase() === 'content-type');
  return {
    body: JSON.stringify(payload.body),
    headers: hasContentType ? payload.headers : { ...payload.headers, 'content-type': 'application/json' },
  };
}

/**
 * The built-in `http` job type: delivers a webhook. 2xx completes the job; 408, 429, 5xx,
 * timeouts and connection errors are retried; any other status fails the job permanently.
 */
export const httpJobType = defineJobType<HttpPayload>({
  name: 'http',
  payloadSchema: httpPayloadSchema,
  retry: { maxAttempts: 5, baseDelayMs: 2_000, maxDelayMs: 15 * 60_000 },
  async handler(payload, context): Promise<HttpResult> {
    const { body, headers } = encodeBody(payload);
    const signal = AbortSignal.any([context.signal, AbortSignal.timeout(payload.timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(payload.url, { method: payload.method, headers, body, signal, redirect: 'manual' });
    } catch (error) {
      // Checked by name: the DOMException of AbortSignal.timeout may come from another realm.
      const name = (error as { name?: unknown } | null)?.name;
      const reason = name === 'TimeoutError' ? `timed out after ${payload.timeoutMs} ms` : context.signal.aborted ? 'was aborted: the attempt ran out of time' : 'failed to connect';
      throw new RetryableJobError(`${payload.method} ${payload.url} ${reason}`, { jobId: context.jobId, cause: error });
    }
    const text = (await response.text().catch(() => '')).slice(0, MAX_RESULT_BODY_CHARS);
    if (response.status >= 200 && response.status < 300) {
      return { status: response.status, body: text };
    }
    const message = `${payload.method} ${payload.url} returned HTTP ${response.status}`;
    if (RETRYABLE_STATUSES.has(response.status) || response.status >= 500) {
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
      throw new RetryableJobError(message, { jobId: context.jobId, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
    }
    throw new PermanentJobError(message, { jobId: context.jobId });
  },
});
