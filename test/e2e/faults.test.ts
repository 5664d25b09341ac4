import { FaultKind } from '../../scripts/faults/fault-plan';
import { runFaultSuite, type FaultSuiteReport } from '../../scripts/faults/suite';

/**
 * The CI variant of `npm run faults`: fewer jobs, each fault at least once. The suite starts its
 * own local stack, with its own Redis Cluster on SLUICE_FAULTS_REDIS_BASE_PORT (default 7200), so
 * killing a master never touches the cluster the other tests share.
 */
const JOBS = 200;
const REDIS_BASE_PORT = Number(process.env.SLUICE_FAULTS_REDIS_BASE_PORT ?? 7200);

jest.setTimeout(600_000);

describe('fault suite on the local stack', () => {
  let report: FaultSuiteReport;
  const lines: string[] = [];

  beforeAll(async () => {
    report = await runFaultSuite({
      jobs: JOBS,
      enqueueRatePerSecond: 10,
      seed: 20261204,
      faults: { [FaultKind.functionsCrash]: 2, [FaultKind.redisMasterKill]: 1, [FaultKind.sqsRestart]: 1, [FaultKind.mongoDrop]: 1 },
      drainTimeoutMs: 240_000,
      redisBasePort: REDIS_BASE_PORT,
      log: (line) => lines.push(line),
    });
  }, 600_000);

  it('injects every kind of fault', () => {
    const kinds = report.faults.map((fault) => fault.kind).sort();
    expect(kinds).toEqual([FaultKind.functionsCrash, FaultKind.functionsCrash, FaultKind.mongoDrop, FaultKind.redisMasterKill, FaultKind.sqsRestart].sort());
  });

  it('loses no job and leaves none unfinished', () => {
    expect(report.counts.lost).toBe(0);
    expect(report.counts.unfinished).toBe(0);
    expect(report.counts.completed + report.counts.dead).toBe(JOBS);
  });

  it('completes each completed job once in the store', () => {
    expect(report.completionTransitions).toBe(report.counts.completed);
  });

  it('keeps duplicate deliveries within the explained bound', () => {
    expect(report.duplicateDeliveries).toBeLessThanOrEqual(report.extraAttempts);
    expect(report.extraAttempts).toBeLessThanOrEqual(report.bound + report.stalls + report.attemptTimeouts);
  });

  it('finds no violation', () => {
    // The suite's own log explains a failure: the faults with their times and each violation.
    expect({ violations: report.violations, faults: report.faults.map((fault) => `${fault.kind}: ${fault.detail}`) }).toEqual({
      violations: [],
      faults: expect.any(Array),
    });
  });
});
