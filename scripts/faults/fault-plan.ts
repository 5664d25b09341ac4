/** The faults the suite injects, and when. */

export const FaultKind = {
  /** SIGKILL of `serverless offline`, whose worker threads run every function, then a restart. */
  functionsCrash: 'functions-crash',
  /** SIGKILL of a Redis master; its replica takes over, then the node rejoins as a replica. */
  redisMasterKill: 'redis-master-kill',
  /** The SQS emulator stops, losing every message, and starts again with empty queues. */
  sqsRestart: 'sqs-restart',
  /** Every MongoDB connection is closed at once. */
  mongoDrop: 'mongo-drop',
} as const;

export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind];

export type FaultCounts = Record<FaultKind, number>;

export interface PlannedFault {
  kind: FaultKind;
  /** Milliseconds after the first enqueue. */
  atMs: number;
}

/** mulberry32: a small seeded generator, so a seed reproduces a run's fault schedule. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Places each fault at a random moment between `fromMs` and `toMs`, in time order. */
export function planFaults(counts: FaultCounts, fromMs: number, toMs: number, random: () => number): PlannedFault[] {
  const faults: PlannedFault[] = [];
  for (const [kind, count] of Object.entries(counts) as [FaultKind, number][]) {
    for (let index = 0; index < count; index += 1) {
      faults.push({ kind, atMs: Math.round(fromMs + random() * (toMs - fromMs)) });
    }
  }
  return faults.sort((a, b) => a.atMs - b.atMs);
}
