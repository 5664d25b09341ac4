import { z } from 'zod';
import { PermanentJobError, RetryableJobError } from '../../errors';
import { defineJobType } from '../registry';
import { configuredAllowList, refusedHostReason, WebhookDestinationError } from './webhook-guard';
import { sendWebhook } from './webhook-request';

/** Webhook timeout default and cap; the cap stays under the shortest sensible function timeout. */
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_TIMEOUT_MS = 60_000;
/** Bytes of the response body kept in the job's result. */
const MAX_RESULT_BODY_CHARS = 1024;
/** HTTP statuses a later attempt may fix: request timeout, too many requests, and every 5xx. */
const RETRYABLE_STATUSES = new Set([408, 429]);

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

export const httpPayloadSchema = z.strictObject({
  url: z
    .url({
      protocol: /^https?$/,
      error: (issue) => (issue.input === undefined ? 'is required: the webhook URL' : 'must be an absolute http:// or https:// URL'),
    })
    // Literal addresses and localhost names are refused here; host names are resolved and checked at delivery.
    .superRefine((value, context) => {
      const reason = URL.canParse(value) ? refusedHostReason(new URL(value), configuredAllowList()) : undefined;
      if (reason) {
        context.addIssue({ code: 'custom', message: `must not point at a private, loopback, link-local or metadata address (${reason}); add it to SLUICE_WEBHOOK_ALLOW if it is meant to be reached` });
      }
    }),
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
function parseRetryAfterMs(header: string | string[] | undefined): number | undefined {
  if (typeof header !== 'string' || !/^\d+$/.test(header.trim())) {
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
 * The built-in `http` job type: delivers a webhook through the SSRF guard (see webhook-guard.ts).
 * 2xx completes the job; 408, 429, 5xx, timeouts, connection errors and unresolvable hosts are
 * retried; a refused destination and any other status fail the job permanently. Error messages
 * name the URL's origin only, because paths and query strings often carry tokens.
 */
export const httpJobType = defineJobType<HttpPayload>({
  name: 'http',
  payloadSchema: httpPayloadSchema,
  retry: { maxAttempts: 5, baseDelayMs: 2_000, maxDelayMs: 15 * 60_000 },
  async handler(payload, context): Promise<HttpResult> {
    const { body, headers } = encodeBody(payload);
    const timeout = AbortSignal.timeout(payload.timeoutMs);
    const target = `${payload.method} ${new URL(payload.url).origin}`;
    let response;
    try {
      response = await sendWebhook({
        url: payload.url,
        method: payload.method,
        headers,
        body,
        signal: AbortSignal.any([context.signal, timeout]),
        allow: configuredAllowList(),
        maxBodyChars: MAX_RESULT_BODY_CHARS,
      });
    } catch (error) {
      if (error instanceof WebhookDestinationError) {
        const JobError = error.retryable ? RetryableJobError : PermanentJobError;
        throw new JobError(`${target}: ${error.message}`, { jobId: context.jobId, cause: error });
      }
      const reason = timeout.aborted ? `timed out after ${payload.timeoutMs} ms` : context.signal.aborted ? 'was aborted: the attempt ran out of time' : 'failed to connect';
      throw new RetryableJobError(`${target} ${reason}`, { jobId: context.jobId, cause: error });
    }
    if (response.status >= 200 && response.status < 300) {
      return { status: response.status, body: response.body };
    }
    const message = `${target} returned HTTP ${response.status}`;
    if (RETRYABLE_STATUSES.has(response.status) || response.status >= 500) {
      const retryAfterMs = parseRetryAfterMs(response.headers['retry-after']);
      throw new RetryableJobError(message, { jobId: context.jobId, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
    }
    throw new PermanentJobError(message, { jobId: context.jobId });
  },
});
