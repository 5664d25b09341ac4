import type { JobDocument } from '../../lib/jobs/job';
import type { Receiver } from '../demo/receiver';
import { expectedDeliveries, expectedState, type PlannedJob } from '../demo/workload';
import type { InjectedFault } from './inject';
import type { JobWatch } from './job-watch';

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : 'null');

/** Describes the fields that show where an unfinished job stopped. */
function describeJob(job: JobDocument): string {
  return (
    `attempts ${job.attempts}, outbox ${job.outbox}, sentAt ${iso(job.sentAt)}, runAt ${iso(job.runAt)}, updatedAt ${iso(job.updatedAt)}, ` +
    `last error: ${job.lastError?.message ?? 'none'}`
  );
}

export interface FaultCheck {
  /** One line per broken promise; the suite passes only when there are none. */
  violations: string[];
  counts: { completed: number; dead: number; unfinished: number; lost: number };
  /** Deliveries beyond what each job's plan needs, summed over jobs. */
  duplicateDeliveries: number;
  /** Jobs with at least one duplicate delivery. */
  jobsWithDuplicates: number;
  /** Attempts beyond each job's plan (duplicate deliveries plus attempts that never reached the receiver). */
  extraAttempts: number;
  /** Maximum number of extra attempts the injected faults explain: one per job active when a fault struck, per fault. */
  bound: number;
  /**
   * Lease expiries no injected fault explains: an invocation hit the function timeout, which ends
   * its handler as Lambda does, or a worker outlived its lease. Each explains one extra attempt.
   */
  stalls: number;
  /**
   * Attempts recorded as timed out although the receiver may have responded: an HTTP response that
   * arrived after the job's timeout. Each explains one extra attempt.
   */
  attemptTimeouts: number;
  /** Transitions into `completed` seen in the store, summed over jobs. */
  completionTransitions: number;
}

/**
 * Checks every planned job against the store and the receiver: it exists, it is `completed` or
 * `dead` as the receiver's plan expects, it moved into `completed` at most once, and every attempt
 * beyond its plan is explained by a fault that struck while the job was active, or, counted
 * apart, by a lease that expired with no injected fault or by an attempt that timed out.
 */
export function checkJobs(plan: PlannedJob[], ids: string[], stored: Map<string, JobDocument>, receiver: Receiver, watch: JobWatch, faults: InjectedFault[]): FaultCheck {
  const violations: string[] = [];
  const counts = { completed: 0, dead: 0, unfinished: 0, lost: 0 };
  let duplicateDeliveries = 0;
  let jobsWithDuplicates = 0;
  let extraAttempts = 0;
  let completionTransitions = 0;
  let stalls = 0;
  let attemptTimeouts = 0;

  plan.forEach((planned, index) => {
    const id = ids[index] as string;
    const job = stored.get(id);
    const statuses = receiver.deliveries(planned.key);
    const seen = statuses.join(',') || 'nothing';
    completionTransitions += watch.completionsOf(id);
    if (job === undefined) {
      counts.lost += 1;
      violations.push(`${planned.key} (${id}): lost, not in the store (receiver saw ${seen})`);
      return;
    }
    if (job.state === 'completed') {
      counts.completed += 1;
    } else if (job.state === 'dead') {
      counts.dead += 1;
    } else {
      counts.unfinished += 1;
    }

    const wanted = expectedState(planned);
    if (job.state !== wanted) {
      violations.push(`${planned.key} (${id}): ${job.state}, expected ${wanted} (receiver saw ${seen}; ${describeJob(job)})`);
    } else if (wanted === 'completed' && !statuses.includes(200)) {
      violations.push(`${planned.key} (${id}): completed, but the receiver never answered it 200 (it saw ${seen})`);
    } else if (wanted === 'dead' && !(statuses.includes(404) && job.lastError?.message.includes('HTTP 404'))) {
      violations.push(`${planned.key} (${id}): dead with "${job.lastError?.message ?? 'no error'}", not for the receiver's 404 (it saw ${seen})`);
    }
    const completions = watch.completionsOf(id);
    if (completions > 1) {
      violations.push(`${planned.key} (${id}): moved into completed ${completions} times`);
    }
    if (statuses.length > job.attempts) {
      violations.push(`${planned.key} (${id}): ${statuses.length} deliveries but only ${job.attempts} attempts`);
    }

    const duplicates = Math.max(0, statuses.length - expectedDeliveries(planned));
    duplicateDeliveries += duplicates;
    jobsWithDuplicates += duplicates > 0 ? 1 : 0;
    const extra = Math.max(0, job.attempts - expectedDeliveries(planned));
    extraAttempts += extra;
    const explained = faults.filter((fault) => fault.exposed.has(id));
    const jobStalls = Math.max(0, watch.leaseExpiriesOf(id) - explained.length);
    const jobTimeouts = watch.attemptTimeoutsOf(id);
    stalls += jobStalls;
    attemptTimeouts += jobTimeouts;
    if (extra > explained.length + jobStalls + jobTimeouts) {
      violations.push(
        `${planned.key} (${id}): ${extra} attempts beyond its plan (receiver saw ${seen}), but only ${explained.length} faults struck while it was active` +
          (explained.length > 0 ? ` (${explained.map((fault) => `${fault.kind} at ${fault.atSeconds.toFixed(1)} s`).join(', ')})` : '') +
          `, ${jobStalls} other lease expiries and ${jobTimeouts} attempt timeouts`,
      );
    }
  });

  for (const line of watch.reopenedJobs()) {
    violations.push(`left completed: ${line}`);
  }
  const planned = new Set(ids);
  const strays = [...stored.keys()].filter((id) => !planned.has(id));
  if (strays.length > 0) {
    violations.push(`${strays.length} jobs in the store that no enqueue returned (a repeated enqueue created a second job?), first: ${strays.slice(0, 3).join(', ')}`);
  }
  const bound = faults.reduce((sum, fault) => sum + fault.exposed.size, 0);
  return { violations, counts, duplicateDeliveries, jobsWithDuplicates, extraAttempts, bound, stalls, attemptTimeouts, completionTransitions };
}
