import type { Document } from 'bson';
import { LEASE_EXPIRED_ERROR } from '../../lib/store/lease-recovery';
import type { MongoWireServer } from '../../localstack/mongo-wire';

/**
 * Tells whether an update ended an expired lease: dispatch recorded the lease expiry on the job, or a
 * new claim took the job over from the worker whose lease expired.
 */
function isLeaseExpiry(before: Document, after: Document): boolean {
  if (before.state !== 'active') {
    return false;
  }
  const recovered = after.state !== 'active' && (after.lastError as { name?: string } | null)?.name === LEASE_EXPIRED_ERROR;
  // A takeover of a lease that had not expired yet would be a bug, so it does not count here.
  const expired = before.leaseExpiresAt instanceof Date && before.leaseExpiresAt.getTime() <= Date.now();
  const takenOver = after.state === 'active' && after.leaseToken !== before.leaseToken && expired;
  return recovered || takenOver;
}

/** Tells whether a worker recorded a failed attempt because the handler timed out. */
function isAttemptTimeout(before: Document, after: Document): boolean {
  const error = after.lastError as { name?: string; message?: string; attempt?: number } | null;
  return (
    before.state === 'active' &&
    after.state !== 'active' &&
    error?.name !== LEASE_EXPIRED_ERROR &&
    error?.attempt === after.attempts &&
    /timed out/.test(error?.message ?? '')
  );
}

/**
 * Follows every update of the jobs collection in the MongoDB test server, synchronously, so it
 * tracks at any instant which jobs are `active` (held by a worker's lease). It counts each job's
 * transitions into `completed`, records any transition out of `completed`, and collects the jobs
 * a fault can touch: those active when it strikes.
 */
export class JobWatch {
  private readonly active = new Set<string>();
  private readonly completions = new Map<string, number>();
  private readonly leaseExpiries = new Map<string, number>();
  private readonly attemptTimeouts = new Map<string, number>();
  private readonly reopened: string[] = [];
  private readonly openWindows: { until: number; ids: Set<string> }[] = [];
  private readonly unwatch: () => void;

  constructor(server: MongoWireServer, namespace: string) {
    this.unwatch = server.watchUpdates((changedNamespace, before, after) => {
      if (changedNamespace !== namespace) {
        return;
      }
      const id = String(after._id);
      if (after.state === 'active') {
        this.active.add(id);
        this.addToOpenWindows(id);
      } else {
        this.active.delete(id);
      }
      if (isLeaseExpiry(before, after)) {
        this.leaseExpiries.set(id, (this.leaseExpiries.get(id) ?? 0) + 1);
      }
      if (isAttemptTimeout(before, after)) {
        this.attemptTimeouts.set(id, (this.attemptTimeouts.get(id) ?? 0) + 1);
      }
      if (before.state !== 'completed' && after.state === 'completed') {
        this.completions.set(id, (this.completions.get(id) ?? 0) + 1);
      }
      if (before.state === 'completed' && after.state !== 'completed') {
        this.reopened.push(`${id}: completed -> ${String(after.state)}`);
      }
    });
  }

  /** Returns the ids of the jobs active now. */
  activeNow(): Set<string> {
    return new Set(this.active);
  }

  /**
   * Returns a set that contains the jobs active now and gains every job that becomes active within
   * `windowMs`: the jobs whose store writes a fault striking now may still break.
   */
  exposeFor(windowMs: number): Set<string> {
    const ids = this.activeNow();
    this.openWindows.push({ until: Date.now() + windowMs, ids });
    return ids;
  }

  /** Returns how often the job moved into `completed`. */
  completionsOf(id: string): number {
    return this.completions.get(id) ?? 0;
  }

  /** Returns how often the job's lease expired: recovered by dispatch, or taken over by a new claim. */
  leaseExpiriesOf(id: string): number {
    return this.leaseExpiries.get(id) ?? 0;
  }

  /** Returns how many of the job's attempts failed because the handler timed out. */
  attemptTimeoutsOf(id: string): number {
    return this.attemptTimeouts.get(id) ?? 0;
  }

  /** Returns a line per transition out of `completed`; none may happen. */
  reopenedJobs(): string[] {
    return [...this.reopened];
  }

  stop(): void {
    this.unwatch();
  }

  private addToOpenWindows(id: string): void {
    const now = Date.now();
    for (const window of this.openWindows) {
      if (window.until >= now) {
        window.ids.add(id);
      }
    }
  }
}
