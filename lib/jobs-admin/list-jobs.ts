import { z } from 'zod';
import type { Services } from '../clients';
import { InvalidRequestError } from '../errors';
import { toPublicJob, type PublicJob } from '../jobs/job';
import { toFieldProblems } from '../jobs/request';
import { JobState } from '../jobs/states';
import { listFinishedJobs, type ListPosition } from '../store/job-listing';

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 100;

/** States whose jobs have a `finishedAt`, the listing's sort key. */
const LISTABLE_STATES = [JobState.dead, JobState.completed, JobState.cancelled] as const;

const listQuerySchema = z.strictObject({
  state: z.enum(LISTABLE_STATES, { error: `must be one of ${LISTABLE_STATES.join(', ')}` }),
  limit: z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${MAX_LIST_LIMIT}`)
    .transform(Number)
    .pipe(z.number().min(1, 'must be at least 1').max(MAX_LIST_LIMIT, `must be at most ${MAX_LIST_LIMIT}`))
    .optional(),
  after: z.string().min(1, 'must not be empty; send the "next" value of the previous page').optional(),
});

export interface JobPage {
  jobs: PublicJob[];
  /** Cursor for the next page (`after`), or null on the last page. */
  next: string | null;
}

/** Encodes a list position as an opaque cursor: base64url of `[finishedAt ISO, id]`. */
export function encodeCursor(position: ListPosition): string {
  return Buffer.from(JSON.stringify([position.finishedAt.toISOString(), position.id]), 'utf8').toString('base64url');
}

/** Decodes a cursor; throws {@link InvalidRequestError} naming `after` when it is not one this API returned. */
export function decodeCursor(cursor: string): ListPosition {
  const invalid = (cause?: unknown) =>
    new InvalidRequestError(
      'after is not a valid cursor; send the "next" value of the previous page unchanged',
      [{ field: 'after', message: 'is not a cursor returned by this API' }],
      cause === undefined ? {} : { cause },
    );
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalid(error);
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || typeof decoded[0] !== 'string' || typeof decoded[1] !== 'string') {
    throw invalid();
  }
  const finishedAt = new Date(decoded[0]);
  if (Number.isNaN(finishedAt.getTime())) {
    throw invalid();
  }
  return { finishedAt, id: decoded[1] };
}

/**
 * Lists a queue's finished jobs of one state (`dead`, `completed` or `cancelled`), newest first,
 * one page at a time: `limit` 1-100 (default 50), `after` the previous page's `next`.
 * Throws {@link InvalidRequestError} naming each bad query parameter and `NotFoundError` for an
 * undefined queue.
 */
export async function listQueueJobs(services: Services, queueName: string, query: Record<string, string | undefined>): Promise<JobPage> {
  const queue = services.queues.get(queueName);
  const parsed = listQuerySchema.safeParse(query, { reportInput: true });
  if (!parsed.success) {
    // Problems at the root are about the query string, not a body.
    const problems = toFieldProblems(parsed.error).map((problem) => (problem.field === '(body)' ? { ...problem, field: '(query)' } : problem));
    throw new InvalidRequestError(`invalid query: ${problems.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`, problems);
  }
  const limit = parsed.data.limit ?? DEFAULT_LIST_LIMIT;
  const after = parsed.data.after === undefined ? undefined : decodeCursor(parsed.data.after);

  // One more than the page, to learn whether another page follows.
  const found = await listFinishedJobs(services.jobs, { queue: queue.name, state: parsed.data.state, limit: limit + 1, ...(after ? { after } : {}) });
  const page = found.slice(0, limit);
  const last = page.at(-1);
  const next = found.length > limit && last?.finishedAt ? encodeCursor({ finishedAt: last.finishedAt, id: last._id }) : null;
  return { jobs: page.map(toPublicJob), next };
}
