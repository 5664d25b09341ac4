import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { EnqueuedJob, JobPage, PublicJob, QueueStats, RejectedJob } from '../lib/api/response-schemas';
import type { FieldProblem } from '../lib/errors';
import type { jobPayloadSchemas } from '../lib/jobs/types';
import { SluiceApiError } from './errors';
import { DEFAULT_RETRY_OPTIONS, sendRequest, type RetryEvent, type RetryOptions, type RetryPolicy, type TransportOptions } from './transport';

/** Payload schemas by job type name; `enqueue` takes the input type of the schema its `type` names. */
export type JobTypeSchemas = Record<string, z.ZodType>;

/** The built-in job types of this repository (`http`, and any added to `jobPayloadSchemas`). */
export type BuiltInJobTypes = typeof jobPayloadSchemas;

/** Accepts any job type name with any payload, for tools that take the type at run time. */
export type AnyJobTypes = Record<string, z.ZodType<unknown, unknown>>;

export type { EnqueuedJob, JobPage, PublicJob as Job, QueueStats, RejectedJob };

/** The API's limit of jobs per batch request; `enqueueBatch` splits larger lists into chunks of it. */
export const BATCH_CHUNK_SIZE = 100;

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** See {@link SluiceClientOptions.autoIdempotencyKeys}. */
export type AutoIdempotencyKeys = 'single' | 'all' | 'none';

export interface EnqueueOptions {
  /** Seconds to wait before the job is due, 0 to 2,592,000 (30 days). Not with `runAt`. */
  delaySeconds?: number;
  /** When the job is due, at most 30 days ahead. Not with `delaySeconds`. */
  runAt?: Date | string;
  /** 0 (default) to 9; picks the queue's priority lane. */
  priority?: number;
  /** 1 to 100; default the job type's. */
  maxAttempts?: number;
  /** 1 to 255 printable ASCII characters; the same key on the same queue within 24 hours returns the first job. */
  idempotencyKey?: string;
}

/** One entry of `enqueueBatch`: a job type, its payload typed by that type's schema, and options. */
export type BatchJob<Types extends JobTypeSchemas> = {
  [Type in keyof Types & string]: { type: Type; payload: z.input<Types[Type]> } & EnqueueOptions;
}[keyof Types & string];

export interface ListJobsQuery {
  /** Without `updatedAfter`: dead, completed or cancelled (required). With it: any state, as a filter. */
  state?: PublicJob['state'];
  /** Lists jobs updated after this time, oldest update first. */
  updatedAfter?: Date | string;
  /** 1 to 100 (default 50). */
  limit?: number;
  /** The `next` cursor of the previous page. */
  after?: string;
}

export interface SluiceClientOptions<Types extends JobTypeSchemas> extends Partial<RetryOptions> {
  /** Base URL of the API (default http://127.0.0.1:3000, the local stack of `npm start`). */
  url?: string;
  /** Sent as `Authorization: Bearer <apiKey>` when set. */
  apiKey?: string;
  /**
   * Payload schemas by job type, used only for types (default: the built-in types). Pass your
   * own map, such as `{ ...jobPayloadSchemas, report: reportSchema }`, to type custom job types.
   */
  jobTypes?: Types;
  /**
   * The enqueued jobs without an `idempotencyKey` that get a random one, so that a retry after a
   * timeout or a 5xx cannot create a second job: `single` (default) for `enqueue`, `all` for
   * `enqueue` and every `enqueueBatch` entry, `none` for no job. A request with a job that has no
   * key is retried only after a refused connection or a 429. `single` is the default because the
   * API stores keyed batch entries one by one, which makes a batch of 100 several times slower.
   */
  autoIdempotencyKeys?: AutoIdempotencyKeys;
  /** Called before each retry, for logging. */
  onRetry?: (event: RetryEvent) => void;
}

export interface SluiceClient<Types extends JobTypeSchemas> {
  /** Enqueues one job; returns its id and state (`existing: true` for a repeated idempotency key). */
  enqueue<Type extends keyof Types & string>(queue: string, type: Type, payload: z.input<Types[Type]>, options?: EnqueueOptions): Promise<EnqueuedJob>;
  /**
   * Enqueues any number of jobs in requests of up to 100. Returns one result per job, in order:
   * `{ id, state }`, or `{ error }` for a job the API rejected. Throws when a request fails
   * as a whole; the jobs of earlier requests stay enqueued.
   */
  enqueueBatch(queue: string, jobs: BatchJob<Types>[]): Promise<(EnqueuedJob | RejectedJob)[]>;
  getJob(id: string): Promise<PublicJob>;
  /** Cancels a job that has not started; throws a 409 {@link SluiceApiError} once it has. */
  cancel(id: string): Promise<PublicJob>;
  /** Retries a dead job with `maxAttempts` more attempts (default the job type's); throws a 409 {@link SluiceApiError} unless it is dead. */
  retry(id: string, options?: { maxAttempts?: number }): Promise<PublicJob>;
  stats(queue: string): Promise<QueueStats>;
  /** Lists one page of a queue's jobs (see {@link ListJobsQuery}). */
  listJobs(queue: string, query: ListJobsQuery): Promise<JobPage>;
}

const segment = (value: string): string => encodeURIComponent(value);

function requestBody(type: string, payload: unknown, options: EnqueueOptions, autoKey: boolean): Record<string, unknown> {
  const { runAt, idempotencyKey, ...rest } = options;
  return {
    type,
    payload,
    ...rest,
    ...(runAt === undefined ? {} : { runAt: runAt instanceof Date ? runAt.toISOString() : runAt }),
    ...(idempotencyKey !== undefined ? { idempotencyKey } : autoKey ? { idempotencyKey: `auto-${randomUUID()}` } : {}),
  };
}

/** Shifts the `jobs.N` indexes of a chunk's problems and messages by the chunk's offset in the whole list. */
function shiftIndexes(text: string, offset: number): string {
  return offset === 0 ? text : text.replace(/\bjobs\.(\d+)/g, (_match, index: string) => `jobs.${Number(index) + offset}`);
}

function shiftRejection(rejected: RejectedJob, offset: number): RejectedJob {
  return {
    error: {
      message: shiftIndexes(rejected.error.message, offset),
      problems: rejected.error.problems.map((problem) => ({ ...problem, field: shiftIndexes(problem.field, offset) })),
    },
  };
}

/**
 * Turns a 422 "no job in the batch is valid" into one rejection per entry, each with the
 * problems whose field starts with its `jobs.N` path.
 */
function rejectEveryEntry(error: SluiceApiError, count: number): RejectedJob[] {
  return Array.from({ length: count }, (_, index) => {
    const prefix = `jobs.${index}`;
    const problems: FieldProblem[] = error.problems.filter((problem) => problem.field === prefix || problem.field.startsWith(`${prefix}.`));
    const message = problems.length > 0 ? problems.map((problem) => `${problem.field} ${problem.message}`).join('; ') : error.message;
    return { error: { message, problems } };
  });
}

/**
 * Creates a client of the Sluice HTTP API. Reads retry on 429, 5xx and connection errors with
 * exponential backoff and jitter. Enqueue requests do too when every job in them carries an
 * idempotency key (see `autoIdempotencyKeys`). Other 4xx responses are never retried. Throws `TypeError` for a URL
 * that is not http or https.
 */
export function createSluiceClient<Types extends JobTypeSchemas = BuiltInJobTypes>(options: SluiceClientOptions<Types> = {}): SluiceClient<Types> {
  const baseUrl = (options.url ?? DEFAULT_URL).replace(/\/+$/, '');
  if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
    throw new TypeError(`url ${JSON.stringify(options.url)} is not an http:// or https:// URL; pass the API's base URL, such as ${DEFAULT_URL}`);
  }
  const transport: TransportOptions = {
    ...DEFAULT_RETRY_OPTIONS,
    ...Object.fromEntries(Object.entries(options).filter(([key, value]) => key in DEFAULT_RETRY_OPTIONS && value !== undefined)),
    baseUrl,
    apiKey: options.apiKey,
    onRetry: options.onRetry,
  };
  const autoKeys = options.autoIdempotencyKeys ?? 'single';
  const send = async <Body>(method: string, path: string, body: unknown, policy: RetryPolicy) => sendRequest<Body>(transport, method, path, body, policy);

  /** Sends the request again only when every job in it carries an idempotency key. */
  const enqueuePolicy = (bodies: Record<string, unknown>[]): RetryPolicy => (bodies.every((body) => body.idempotencyKey !== undefined) ? 'always' : 'unsent');

  const getJob = async (id: string): Promise<PublicJob> => (await send<PublicJob>('GET', `/jobs/${segment(id)}`, undefined, 'always')).body;

  return {
    getJob,

    async enqueue(queue, type, payload, enqueueOptions = {}) {
      const body = requestBody(type, payload, enqueueOptions, autoKeys !== 'none');
      return (await send<EnqueuedJob>('POST', `/queues/${segment(queue)}/jobs`, body, enqueuePolicy([body]))).body;
    },

    async enqueueBatch(queue, jobs) {
      const results: (EnqueuedJob | RejectedJob)[] = [];
      for (let offset = 0; offset < jobs.length; offset += BATCH_CHUNK_SIZE) {
        const bodies = jobs.slice(offset, offset + BATCH_CHUNK_SIZE).map(({ type, payload, ...jobOptions }) => requestBody(type, payload, jobOptions, autoKeys === 'all'));
        try {
          const response = await send<{ jobs: (EnqueuedJob | RejectedJob)[] }>('POST', `/queues/${segment(queue)}/jobs/batch`, { jobs: bodies }, enqueuePolicy(bodies));
          results.push(...response.body.jobs.map((result) => ('error' in result ? shiftRejection(result, offset) : result)));
        } catch (error) {
          // 422 means that no entry of this chunk was valid and none was stored; other chunks still go.
          if (!(error instanceof SluiceApiError && error.status === 422)) {
            throw error;
          }
          results.push(...rejectEveryEntry(error, bodies.length).map((rejected) => shiftRejection(rejected, offset)));
        }
      }
      return results;
    },

    async cancel(id) {
      try {
        return (await send<PublicJob>('DELETE', `/jobs/${segment(id)}`, undefined, 'always')).body;
      } catch (error) {
        // A retried cancel whose first attempt succeeded finds the job cancelled and gets 409.
        const job = error instanceof SluiceApiError && error.status === 409 ? await getJob(id) : undefined;
        if (job?.state === 'cancelled') {
          return job;
        }
        throw error;
      }
    },

    async retry(id, retryOptions = {}) {
      const body = retryOptions.maxAttempts === undefined ? undefined : { maxAttempts: retryOptions.maxAttempts };
      // Not retried after a possible delivery: a second retry of a job that ran again and died would add attempts twice.
      return (await send<PublicJob>('POST', `/jobs/${segment(id)}/retry`, body, 'unsent')).body;
    },

    async stats(queue) {
      return (await send<QueueStats>('GET', `/queues/${segment(queue)}/stats`, undefined, 'always')).body;
    },

    async listJobs(queue, query) {
      const parameters = new URLSearchParams();
      if (query.state !== undefined) parameters.set('state', query.state);
      if (query.updatedAfter !== undefined) parameters.set('updatedAfter', query.updatedAfter instanceof Date ? query.updatedAfter.toISOString() : query.updatedAfter);
      if (query.limit !== undefined) parameters.set('limit', String(query.limit));
      if (query.after !== undefined) parameters.set('after', query.after);
      return (await send<JobPage>('GET', `/queues/${segment(queue)}/jobs?${parameters.toString()}`, undefined, 'always')).body;
    },
  };
}
