import type { JobDocument } from '../jobs/job';
import { JobState } from '../jobs/states';

/**
 * Tells whether `claimJob` would claim the job at `now`: a due `queued` or `delayed` job, or an
 * `active` job whose lease expired. It mirrors the claim's filter so the worker can check limits
 * before it claims; the claim itself stays the atomic decision.
 */
export function isClaimable(job: JobDocument, now: Date): boolean {
  if (job.state === JobState.queued || job.state === JobState.delayed) {
    return job.runAt.getTime() <= now.getTime();
  }
  return job.state === JobState.active && job.leaseExpiresAt !== null && job.leaseExpiresAt.getTime() <= now.getTime();
}
