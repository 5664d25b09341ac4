import { z } from 'zod';
import type { Services } from '../clients';
import { InvalidRequestError } from '../errors';
import type { JobPage } from '../api/response-schemas';
import { toPublicJob } from '../jobs/job';
import { toFieldProblems } from '../jobs/request';
import { JOB_STATES, JobState } from '../jobs/states';
import { listFinishedJobs, listUpdatedJobs, type ListPosition, type UpdatedPosition } from '../store/job-listing';

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 100;

/** States whose jobs have a `finishedAt`, the listing's sort key without `updatedAfter`. */
const LISTABLE_STATES = [JobState.dead, JobState.completed, JobState.cancelled] as const;

/** The query parameters, as the HTTP API documents them. */
export const listQuerySchema = z
  .strictObject({
    state: z.enum(JOB_STATES, { error: `must be one of ${JOB_STATES.join(', ')}` }).optional(),
    updatedAfter: z.iso
      .datetime({ offset: true, error: 'must be an ISO 8601 timestamp with a time zone, such as 2030-01-01T12:00:00Z' })
      .optional(),
    limit: z
      .string()
      .regex(/^\d+$/, `must be a whole number from 1 to ${MAX_LIST_LIMIT}`)
      .transform(Number)
      .pipe(z.number().min(1, 'must be at least 1').max(MAX_LIST_LIMIT, `must be at most ${MAX_LIST_LIMIT}`))
      .optional(),
    after: z.string().min(1, 'must not be empty; send the "next" value of the previous page').optional(),
  })
  .superRefine((query, context) => {
    if (query.updatedAfter !== undefined) {
      return;
    }
    if (query.state === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['state'],
        message: `is required: one of ${LISTABLE_STATES.join(', ')}, or send updatedAfter to list jobs of any state`,
      });
    } else if (!(LISTABLE_STATES as readonly string[]).includes(query.state)) {
      context.addIssue({
        code: 'custom',
        path: ['state'],
        message: `must be one of ${LISTABLE_STATES.join(', ')} (received ${JSON.stringify(query.state)}); send updatedAfter to list ${query.state} jobs`,
      });
    }
  });

/** A cursor position: after a finished job (newest-first listing) or after an updated job (`updatedAfter` listing). */
export type CursorPosition = ListPosition | UpdatedPosition;

/**
 * Encodes a list position as an opaque cursor: base64url of `[finishedAt ISO, id]`, or of
 * `["updatedAt", updatedAt ISO, id]` for the `updatedAfter` listing.
 */
export function encodeCursor(position: CursorPosition): string {
  const fields = 'finishedAt' in position ? [position.finishedAt.toISOString(), position.id] : ['updatedAt', position.updatedAt.toISOString(), position.id];
  return Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
}

function invalidCursor(cause?: unknown): InvalidRequestError {
  return new InvalidRequestError(
    'after is not a valid cursor; send the "next" value of the previous page unchanged, with the same query parameters',
    [{ field: 'after', message: 'is not a cursor returned by this API for this query' }],
    cause === undefined ? {} : { cause },
  );
}

function parseCursorDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw invalidCursor();
  }
  return date;
}

/**
 * Decodes a cursor of the listing `kind`; throws {@link InvalidRequestError} naming `after` when
 * it is not one this API returned for that listing.
 */
export function decodeCursor(cursor: string, kind: 'finished'): ListPosition;
export function decodeCursor(cursor: string, kind: 'updated'): UpdatedPosition;
export function decodeCursor(cursor: string, kind: 'finished' | 'updated'): CursorPosition {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalidCursor(error);
  }
  if (!Array.isArray(decoded)) {
    throw invalidCursor();
  }
  if (kind === 'finished' && decoded.length === 2 && typeof decoded[1] === 'string') {
    return { finishedAt: parseCursorDate(decoded[0]), id: decoded[1] };
  }
  if (kind === 'updated' && decoded.length === 3 && decoded[0] === 'updatedAt' && typeof decoded[2] === 'string') {
    return { updatedAt: parseCursorDate(decoded[1]), id: decoded[2] };
  }
  throw invalidCursor();
}

/**
 * Lists a queue's jobs one page at a time (`limit` 1-100, default 50; `after` the previous
 * page's `next`). Without `updatedAfter` it lists finished jobs of one `state` (`dead`,
 * `completed` or `cancelled`), newest `finishedAt` first. With `updatedAfter` it lists jobs of
 * any state (or of `state`) updated after that time, oldest update first, which lets a client
 * follow a queue's changes. Throws {@link InvalidRequestError} naming each bad query parameter
 * and `NotFoundError` for an undefined queue.
 */
export async function listQueueJobs(services: Services, queueName: string, query: Record<string, string | undefined>): Promise<JobPage> {
  const queue = services.queues.get(queueName);
  const parsed = listQuerySchema.safeParse(query, { reportInput: true });
  if (!parsed.success) {
    // Problems at the root are about the query string, not a body.
    const problems = toFieldProblems(parsed.error).map((problem) => (problem.field === '(body)' ? { ...problem, field: '(query)' } : problem));
    throw new InvalidRequestError(`invalid query: ${problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`, problems);
  }
  const { state, updatedAfter, after } = parsed.data;
  const limit = parsed.data.limit ?? DEFAULT_LIST_LIMIT;

  // One more than the page, to learn whether another page follows.
  if (updatedAfter !== undefined) {
    const found = await listUpdatedJobs(services.jobs, {
      queue: queue.name,
      updatedAfter: new Date(updatedAfter),
      limit: limit + 1,
      ...(state === undefined ? {} : { state }),
      ...(after === undefined ? {} : { after: decodeCursor(after, 'updated') }),
    });
    const page = found.slice(0, limit);
    const last = page.at(-1);
    const next = found.length > limit && last ? encodeCursor({ updatedAt: last.updatedAt, id: last._id }) : null;
    return { jobs: page.map(toPublicJob), next };
  }

  const found = await listFinishedJobs(services.jobs, {
    queue: queue.name,
    // Checked by the schema's refinement: without updatedAfter, state is one of LISTABLE_STATES.
    state: state as JobState,
    limit: limit + 1,
    ...(after === undefined ? {} : { after: decodeCursor(after, 'finished') }),
  });
  const page = found.slice(0, limit);
  const last = page.at(-1);
  const next = found.length > limit && last?.finishedAt ? encodeCursor({ finishedAt: last.finishedAt, id: last._id }) : null;
  return { jobs: page.map(toPublicJob), next };
}
