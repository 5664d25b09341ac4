/**
 * An ordered multiset kept as a list of sorted chunks (the layout of Python's `sortedcontainers`).
 * Insert and delete cost a binary search plus a splice inside one chunk of at most
 * 2 × CHUNK_SIZE items, so a 100,000-entry index stays cheap to maintain. A plain sorted array
 * would move up to the whole array on every write.
 */

const CHUNK_SIZE = 512;

export type Comparator<T> = (a: T, b: T) => number;

export class SortedList<T> {
  private readonly chunks: T[][] = [];
  private count = 0;

  constructor(private readonly compare: Comparator<T>) {}

  get size(): number {
    return this.count;
  }

  /** Adds an item after any items that compare equal to it. */
  insert(item: T): void {
    this.count += 1;
    if (this.chunks.length === 0) {
      this.chunks.push([item]);
      return;
    }

    let chunkIndex = this.chunkAfter(item);
    if (chunkIndex === this.chunks.length) chunkIndex -= 1;
    const chunk = this.chunks[chunkIndex]!;
    chunk.splice(this.upperBound(chunk, item), 0, item);

    if (chunk.length > 2 * CHUNK_SIZE) {
      this.chunks.splice(chunkIndex + 1, 0, chunk.splice(CHUNK_SIZE));
    }
  }

  /** Removes one item that compares equal to `item`; returns false when there is none. */
  delete(item: T): boolean {
    const chunkIndex = this.chunkAtOrAfter(item);
    const chunk = this.chunks[chunkIndex];
    if (chunk === undefined) return false;

    const position = this.lowerBound(chunk, item);
    if (position >= chunk.length || this.compare(chunk[position]!, item) !== 0) return false;

    chunk.splice(position, 1);
    this.count -= 1;
    if (chunk.length === 0) this.chunks.splice(chunkIndex, 1);
    return true;
  }

  /**
   * Calls `visit` with the items from the first one that is not less than `probe`, in ascending
   * order, until `visit` returns false. A callback instead of a generator, because nested
   * generators cost several times more per item on long scans.
   */
  forEachFrom(probe: T, visit: (item: T) => boolean): void {
    let chunkIndex = this.chunkAtOrAfter(probe);
    const first = this.chunks[chunkIndex];
    if (first === undefined) return;

    let position = this.lowerBound(first, probe);
    for (; chunkIndex < this.chunks.length; chunkIndex += 1) {
      const chunk = this.chunks[chunkIndex]!;
      for (; position < chunk.length; position += 1) {
        if (!visit(chunk[position]!)) return;
      }
      position = 0;
    }
  }

  /** Yields every item in ascending order. */
  *[Symbol.iterator](): Generator<T> {
    for (const chunk of this.chunks) yield* chunk;
  }

  /** Index of the first chunk whose last item is not less than `item`, or chunks.length. */
  private chunkAtOrAfter(item: T): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = this.chunks[middle]!;
      if (this.compare(chunk[chunk.length - 1]!, item) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** Index of the first chunk whose last item is greater than `item`, or chunks.length. */
  private chunkAfter(item: T): number {
    let low = 0;
    let high = this.chunks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const chunk = this.chunks[middle]!;
      if (this.compare(chunk[chunk.length - 1]!, item) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private lowerBound(chunk: T[], item: T): number {
    let low = 0;
    let high = chunk.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare(chunk[middle]!, item) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private upperBound(chunk: T[], item: T): number {
    let low = 0;
    let high = chunk.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare(chunk[middle]!, item) <= 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
