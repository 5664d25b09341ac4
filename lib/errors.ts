/**
 * One error hierarchy for Sluice. Every error carries the context it happened in (job id, queue,
 * operation) and wraps its cause with `{ cause }`.
 */

export interface ErrorContext {
  jobId?: string;
  queue?: string;
  operation?: string;
  /** Configuration variable or file that contains the bad value. */
  setting?: string;
  cause?: unknown;
}

export class SluiceError extends Error {
  readonly jobId: string | undefined;
  readonly queue: string | undefined;
  readonly operation: string | undefined;

  constructor(message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = new.target.name;
    this.jobId = context.jobId;
    this.queue = context.queue;
    this.operation = context.operation;
  }
}

/** A configuration value (environment variable or file) is missing or invalid. */
export class ConfigError extends SluiceError {
  readonly setting: string | undefined;

  constructor(message: string, context: ErrorContext = {}) {
    super(message, context);
    this.setting = context.setting;
  }
}

/** Field-level problem in a request, reported to the producer. */
export interface FieldProblem {
  /** Dotted path of the field, for example `payload.url` or `jobs.3.type`. */
  field: string;
  message: string;
}

/** Base of the errors an HTTP caller can fix; `statusCode` is the HTTP status of the response. */
export class RequestError extends SluiceError {
  readonly statusCode: number;
  readonly problems: FieldProblem[];

  constructor(statusCode: number, message: string, problems: FieldProblem[] = [], context: ErrorContext = {}) {
    super(message, context);
    this.statusCode = statusCode;
    this.problems = problems;
  }
}

export const HttpStatus = {
  ok: 200,
  created: 201,
  accepted: 202,
  badRequest: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
  unprocessableEntity: 422,
  internalServerError: 500,
  serviceUnavailable: 503,
} as const;

/** The request is malformed: not JSON, wrong shape, wrong types (400). */
export class InvalidRequestError extends RequestError {
  constructor(message: string, problems: FieldProblem[] = [], context: ErrorContext = {}) {
    super(HttpStatus.badRequest, message, problems, context);
  }
}

/** The request is well formed but cannot be accepted: unknown job type, payload fails its schema (422). */
export class UnprocessableRequestError extends RequestError {
  constructor(message: string, problems: FieldProblem[] = [], context: ErrorContext = {}) {
    super(HttpStatus.unprocessableEntity, message, problems, context);
  }
}

export class PayloadTooLargeError extends RequestError {
  constructor(message: string, context: ErrorContext = {}) {
    super(HttpStatus.payloadTooLarge, message, [], context);
  }
}

export class UnsupportedMediaTypeError extends RequestError {
  constructor(message: string, context: ErrorContext = {}) {
    super(HttpStatus.unsupportedMediaType, message, [], context);
  }
}

/** The request carries no valid API key (401). */
export class UnauthorizedError extends RequestError {
  constructor(message: string, context: ErrorContext = {}) {
    super(HttpStatus.unauthorized, message, [], context);
  }
}

/** The API key is valid but lacks the queue or the action the request needs (403). */
export class ForbiddenError extends RequestError {
  constructor(message: string, context: ErrorContext = {}) {
    super(HttpStatus.forbidden, message, [], context);
  }
}

export class NotFoundError extends RequestError {
  constructor(message: string, context: ErrorContext = {}) {
    super(HttpStatus.notFound, message, [], context);
  }
}

/** The job exists but is in a state that does not allow the operation (409). */
export class ConflictError extends RequestError {
  constructor(message: string, context: ErrorContext = {}) {
    super(HttpStatus.conflict, message, [], context);
  }
}

/** A state transition that the job state machine does not allow. */
export class InvalidTransitionError extends SluiceError {}

/**
 * A worker's lease token no longer matches the job: its lease expired and another worker took the
 * job over, so this worker's outcome is discarded.
 */
export class LeaseLostError extends SluiceError {}

/** Thrown by a job handler when retrying cannot help (for example a 404 from a webhook receiver). */
export class PermanentJobError extends SluiceError {}

/** Thrown by a job handler when a later attempt may succeed; `retryAfterMs` overrides the backoff when set. */
export class RetryableJobError extends SluiceError {
  readonly retryAfterMs: number | undefined;

  constructor(message: string, context: ErrorContext & { retryAfterMs?: number } = {}) {
    super(message, context);
    this.retryAfterMs = context.retryAfterMs;
  }
}
