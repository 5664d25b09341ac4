/**
 * Open cursors. A query's results are computed once and kept here; `getMore` hands out the next
 * batch. Batches stop at the requested size or when they would pass MAX_BATCH_BYTES.
 */
import { calculateObjectSize, Long, type Document } from 'bson';
import { CommandError } from './errors';

/** Default first batch of `find` and `aggregate`, as in MongoDB. */
export const DEFAULT_FIRST_BATCH_SIZE = 101;

/**
 * Upper bound on the documents of one batch: MongoDB's 16 MiB `maxBsonObjectSize` less room for
 * the reply envelope, because the whole reply must stay one BSON document.
 */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;

/** MongoDB closes a cursor that has been idle for 10 minutes (`cursorTimeoutMillis`). */
export const CURSOR_IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  namespace: string;
  documents: Document[];
  position: number;
  lastUsed: number;
}

export class CursorRegistry {
  private readonly cursors = new Map<number, OpenCursor>();
  private nextId = 1;

  /**
   * Returns the `cursor` field of a find or aggregate reply with the first batch, and keeps the
   * rest open unless `singleBatch` is set or nothing remains.
   */
  open(namespace: string, documents: Document[], batchSize: number | undefined, singleBatch: boolean): Document {
    const cursor: OpenCursor = { namespace, documents, position: 0, lastUsed: Date.now() };
    const firstBatch = this.takeBatch(cursor, batchSize ?? DEFAULT_FIRST_BATCH_SIZE);

    let id = 0;
    if (!singleBatch && cursor.position < documents.length) {
      id = this.nextId;
      this.nextId += 1;
      this.cursors.set(id, cursor);
    }
    return { firstBatch, id: Long.fromNumber(id), ns: namespace };
  }

  /**
   * Returns the `cursor` field of a getMore reply; a batch size of undefined returns every
   * remaining document that fits in one reply.
   * @throws CommandError CursorNotFound for an unknown or exhausted id, or one opened on another namespace.
   */
  getMore(id: number, namespace: string, batchSize: number | undefined): Document {
    const cursor = this.cursors.get(id);
    if (cursor === undefined || cursor.namespace !== namespace) {
      throw new CommandError('CursorNotFound', `cursor id ${id} not found`);
    }
    cursor.lastUsed = Date.now();
    const nextBatch = this.takeBatch(cursor, batchSize ?? Number.POSITIVE_INFINITY);

    let remainingId = id;
    if (cursor.position >= cursor.documents.length) {
      this.cursors.delete(id);
      remainingId = 0;
    }
    return { nextBatch, id: Long.fromNumber(remainingId), ns: namespace };
  }

  /** Closes the given cursors; returns which ids were open and which were not. */
  kill(ids: number[]): { killed: number[]; notFound: number[] } {
    const killed: number[] = [];
    const notFound: number[] = [];
    for (const id of ids) {
      if (this.cursors.delete(id)) killed.push(id);
      else notFound.push(id);
    }
    return { killed, notFound };
  }

  /** Closes cursors idle for longer than CURSOR_IDLE_TIMEOUT_MS; returns how many. */
  closeIdle(now: number): number {
    let closed = 0;
    for (const [id, cursor] of this.cursors) {
      if (now - cursor.lastUsed > CURSOR_IDLE_TIMEOUT_MS) {
        this.cursors.delete(id);
        closed += 1;
      }
    }
    return closed;
  }

  get openCount(): number {
    return this.cursors.size;
  }

  private takeBatch(cursor: OpenCursor, batchSize: number): Document[] {
    const batch: Document[] = [];
    let bytes = 0;
    while (batch.length < batchSize && cursor.position < cursor.documents.length) {
      const document = cursor.documents[cursor.position]!;
      const size = calculateObjectSize(document);
      // Always send at least one document, so a cursor cannot stall on a large one.
      if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      batch.push(document);
      bytes += size;
      cursor.position += 1;
    }
    return batch;
  }
}
