import type { Logger } from '@aws-lambda-powertools/logger';
import type { z } from 'zod';
import { UnprocessableRequestError } from '../errors';
import { toFieldProblems } from './request';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './backoff';

/** Context passed to a handler besides its payload. */
export interface JobContext {
  jobId: string;
  queue: string;
  /** 1 for the first attempt. */
  attempt: number;
  logger: Logger;
  /** Aborted when the attempt runs out of time; pass it to I/O that accepts a signal. */
  signal: AbortSignal;
}

/**
 * A kind of job: its payload schema, its handler and its retry policy. A handler returns the
 * job's result (stored on the job, so keep it small), throws `PermanentJobError` when retrying
 * cannot help, and throws anything else to be retried with backoff.
 */
export interface JobType<Payload = unknown> {
  name: string;
  payloadSchema: z.ZodType<Payload>;
  handler: (payload: Payload, context: JobContext) => Promise<unknown>;
  retry: RetryPolicy;
}

/** Builds a job type, filling in the default retry policy (5 attempts, 2 s base, 15 min cap). */
export function defineJobType<Payload>(
  type: Omit<JobType<Payload>, 'retry'> & { retry?: Partial<RetryPolicy> },
): JobType<Payload> {
  return { ...type, retry: { ...DEFAULT_RETRY_POLICY, ...type.retry } };
}

const jobTypeNamePattern = /^[a-z][a-z0-9._-]{0,63}$/;

/** The job types of one deployment, by name. */
export class JobTypeRegistry {
  private readonly types = new Map<string, JobType>();

  /** Adds a job type; throws when the name is malformed or already taken. */
  register<Payload>(type: JobType<Payload>): this {
    if (!jobTypeNamePattern.test(type.name)) {
      throw new Error(`job type name ${JSON.stringify(type.name)} is invalid; use lowercase letters, digits, '.', '_' or '-'`);
    }
    if (this.types.has(type.name)) {
      throw new Error(`job type ${JSON.stringify(type.name)} is registered twice; give each type a unique name`);
    }
    this.types.set(type.name, type as JobType);
    return this;
  }

  names(): string[] {
    return [...this.types.keys()];
  }

  /** Returns the type called `name`; throws {@link UnprocessableRequestError} naming the known types. */
  get(name: string): JobType {
    const type = this.types.get(name);
    if (!type) {
      throw new UnprocessableRequestError(`job type ${JSON.stringify(name)} is not registered; use one of: ${this.names().join(', ')}`, [
        { field: 'type', message: `unknown job type; use one of: ${this.names().join(', ')}` },
      ]);
    }
    return type;
  }

  /**
   * Validates `payload` against the schema of job type `name` and returns the parsed payload.
   * Throws {@link UnprocessableRequestError} listing each invalid field under `payload.`.
   */
  parsePayload(name: string, payload: unknown): unknown {
    const type = this.get(name);
    const parsed = type.payloadSchema.safeParse(payload, { reportInput: true });
    if (parsed.success) {
      return parsed.data;
    }
    const problems = toFieldProblems(parsed.error, ['payload']);
    throw new UnprocessableRequestError(
      `payload is invalid for job type ${JSON.stringify(name)}: ${problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`,
      problems,
    );
  }
}
