import type { FaultSuiteReport } from './suite';

/** Prints the suite's figures and its violations (at most 30 of them). */
export function printReport(report: FaultSuiteReport, log: (line: string) => void): void {
  const { counts } = report;
  log('summary');
  log(`  seed ${report.seed}; ${report.jobs} jobs finished in ${report.runSeconds.toFixed(1)} s from the first enqueue`);
  log(`  completed ${counts.completed}, dead ${counts.dead}, unfinished ${counts.unfinished}, lost ${counts.lost}`);
  log(`  transitions into completed in the store: ${report.completionTransitions} (one per completed job expected)`);
  log(`  enqueue requests repeated after a failure: ${report.enqueueRetries}`);
  log(`  faults injected: ${report.faults.length}`);
  for (const fault of report.faults) {
    log(`    ${fault.atSeconds.toFixed(1).padStart(6)} s  ${fault.kind.padEnd(17)} ${fault.detail}`);
  }
  log(`  duplicate deliveries to the receiver: ${report.duplicateDeliveries} (${report.jobsWithDuplicates} jobs)`);
  log(`  attempts beyond the plan: ${report.extraAttempts}; bound from the faults (jobs active when one struck): ${report.bound}`);
  log(`  not from injected faults: ${report.stalls} lease expiries (invocations that hit the function timeout) and ${report.attemptTimeouts} attempt timeouts`);
  for (const line of report.violations.slice(0, 30)) {
    log(`  violation: ${line}`);
  }
  if (report.violations.length > 30) {
    log(`  ... and ${report.violations.length - 30} more violations`);
  }
  log(report.violations.length === 0 ? 'RESULT: no job lost, stuck or completed twice; every extra attempt is explained' : `RESULT: ${report.violations.length} violations`);
}
