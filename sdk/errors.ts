import type { FieldProblem } from '../lib/errors';

/** Base of the errors the Sluice client throws. */
export class SluiceClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The API returned an HTTP error status (after any retries); `message` is the API's own message. */
export class SluiceApiError extends SluiceClientError {
  readonly status: number;
  readonly method: string;
  readonly url: string;
  /** The fields the API rejected, each with what to fix; empty when the error is not about fields. */
  readonly problems: FieldProblem[];
  /** The response body as received. */
  readonly body: unknown;

  constructor(details: { status: number; method: string; url: string; message: string; problems: FieldProblem[]; body: unknown }) {
    super(details.message);
    this.status = details.status;
    this.method = details.method;
    this.url = details.url;
    this.problems = details.problems;
    this.body = details.body;
  }
}

/** No HTTP response arrived: connection refused or reset, DNS failure, or the request timed out. */
export class SluiceConnectionError extends SluiceClientError {
  readonly method: string;
  readonly url: string;
  /** The system error code (such as ECONNREFUSED) or `TIMEOUT`. */
  readonly code: string;
  readonly attempts: number;

  constructor(details: { method: string; url: string; code: string; attempts: number; cause: unknown }) {
    super(`${details.method} ${details.url} failed: ${details.code} after ${details.attempts} attempt${details.attempts === 1 ? '' : 's'}`, { cause: details.cause });
    this.method = details.method;
    this.url = details.url;
    this.code = details.code;
    this.attempts = details.attempts;
  }
}
