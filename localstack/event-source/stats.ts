/** Counters of one mapping, or of all mappings together. All counts start at 0 when the poller starts. */
export interface EventSourceCounts {
  /** Invocations finished, whatever their outcome. */
  invocations: number;
  /** Records sent to the function. */
  records: number;
  /** Messages deleted after the function succeeded for them. */
  deleted: number;
  /** Records left in the queue for redelivery: reported in `batchItemFailures`, or in a failed invocation. */
  failedRecords: number;
  /** Invocations that kept their whole batch: invoke error, function error or invalid batch response. */
  failedInvocations: number;
  /** Messages whose delete failed; SQS delivers them again after the visibility timeout. */
  deleteErrors: number;
  /** ReceiveMessage calls that failed (queue missing, connection refused, ...). */
  receiveErrors: number;
  /** Invocations in flight now. */
  inFlight: number;
  /** Highest number of invocations in flight at once since the start. */
  maxInFlight: number;
}

/** Counters of one mapping, named by its queue and function. */
export interface MappingStats extends EventSourceCounts {
  queueUrl: string;
  functionName: string;
}

/** Totals over all mappings, plus each mapping's own counters. */
export interface PollerStats extends EventSourceCounts {
  mappings: MappingStats[];
}

export function emptyCounts(): EventSourceCounts {
  return {
    invocations: 0,
    records: 0,
    deleted: 0,
    failedRecords: 0,
    failedInvocations: 0,
    deleteErrors: 0,
    receiveErrors: 0,
    inFlight: 0,
    maxInFlight: 0,
  };
}

/** Counts invocations in flight and remembers the highest count seen. */
export class InFlightGauge {
  current = 0;
  max = 0;

  enter(): void {
    this.current += 1;
    this.max = Math.max(this.max, this.current);
  }

  exit(): void {
    this.current -= 1;
  }
}

/** Adds up the counters of all mappings; the total `maxInFlight` comes from a gauge shared by all mappings. */
export function sumCounts(mappings: readonly EventSourceCounts[], total: InFlightGauge): EventSourceCounts {
  const sum = emptyCounts();
  for (const counts of mappings) {
    sum.invocations += counts.invocations;
    sum.records += counts.records;
    sum.deleted += counts.deleted;
    sum.failedRecords += counts.failedRecords;
    sum.failedInvocations += counts.failedInvocations;
    sum.deleteErrors += counts.deleteErrors;
    sum.receiveErrors += counts.receiveErrors;
  }
  sum.inFlight = total.current;
  sum.maxInFlight = total.max;
  return sum;
}
