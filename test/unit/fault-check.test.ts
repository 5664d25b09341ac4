import type { Document } from 'bson';
import type { JobDocument } from '../../lib/jobs/job';
import type { MongoWireServer } from '../../localstack/mongo-wire';
import type { Receiver } from '../../scripts/demo/receiver';
import { planWorkload } from '../../scripts/demo/workload';
import { checkJobs } from '../../scripts/faults/check';
import { FaultKind, planFaults, seededRandom } from '../../scripts/faults/fault-plan';
import type { InjectedFault } from '../../scripts/faults/inject';
import { JobWatch } from '../../scripts/faults/job-watch';

const NAMESPACE = 'sluice.jobs';

/** Creates a stand-in for the test server's update stream, so each case can replay the updates it needs. */
function fakeServer(): { server: MongoWireServer; update(before: Document, after: Document): void } {
  let listener: ((namespace: string, before: Document, after: Document) => void) | undefined;
  const server = {
    watchUpdates: (callback: typeof listener) => {
      listener = callback;
      return () => {
        listener = undefined;
      };
    },
  } as unknown as MongoWireServer;
  return { server, update: (before, after) => listener?.(NAMESPACE, before, after) };
}

function fakeReceiver(deliveries: Record<string, number[]>): Receiver {
  return { deliveries: (key: string) => deliveries[key] ?? [] } as unknown as Receiver;
}

function storedJob(id: string, fields: Partial<JobDocument>): JobDocument {
  return { _id: id, state: 'completed', attempts: 1, lastError: null, ...fields } as JobDocument;
}

/** The demo plan's first five jobs: job 0 gets 404, jobs 1 and 2 get one and two 500s before 200, jobs 3 and 4 get 200. */
const plan = planWorkload(5, 'http://127.0.0.1:9');
const ids = plan.map((_, index) => `id-${index}`);
const deliveriesAsPlanned = { 'job-0': [404], 'job-1': [500, 200], 'job-2': [500, 500, 200], 'job-3': [200], 'job-4': [200] };
const http404 = { name: 'PermanentJobError', message: 'POST … returned HTTP 404', attempt: 1, at: new Date(), permanent: true };

function storeAsPlanned(): Map<string, JobDocument> {
  return new Map([
    ['id-0', storedJob('id-0', { state: 'dead', lastError: http404 })],
    ['id-1', storedJob('id-1', { attempts: 2 })],
    ['id-2', storedJob('id-2', { attempts: 3 })],
    ['id-3', storedJob('id-3', {})],
    ['id-4', storedJob('id-4', {})],
  ]);
}

function completeOnce(update: (before: Document, after: Document) => void, id: string): void {
  update({ _id: id, state: 'active' }, { _id: id, state: 'completed' });
}

describe('fault suite check', () => {
  it('accepts jobs that finished as planned', () => {
    const { server, update } = fakeServer();
    const watch = new JobWatch(server, NAMESPACE);
    for (const id of ['id-1', 'id-2', 'id-3', 'id-4']) {
      completeOnce(update, id);
    }

    const check = checkJobs(plan, ids, storeAsPlanned(), fakeReceiver(deliveriesAsPlanned), watch, []);

    expect(check.violations).toEqual([]);
    expect(check.counts).toEqual({ completed: 4, dead: 1, unfinished: 0, lost: 0 });
    expect(check.completionTransitions).toBe(4);
    expect(check.duplicateDeliveries).toBe(0);
  });

  it('reports lost and stuck jobs', () => {
    const { server } = fakeServer();
    const stored = storeAsPlanned();
    stored.delete('id-3');
    stored.set('id-4', storedJob('id-4', { state: 'queued', attempts: 0 }));

    const check = checkJobs(plan, ids, stored, fakeReceiver(deliveriesAsPlanned), new JobWatch(server, NAMESPACE), []);

    expect(check.counts.lost).toBe(1);
    expect(check.counts.unfinished).toBe(1);
    expect(check.violations.some((line) => line.startsWith('job-3 (id-3): lost'))).toBe(true);
    expect(check.violations.some((line) => line.startsWith('job-4 (id-4): queued, expected completed'))).toBe(true);
  });

  it('reports a job completed twice', () => {
    const { server, update } = fakeServer();
    const watch = new JobWatch(server, NAMESPACE);
    completeOnce(update, 'id-3');
    completeOnce(update, 'id-3');

    const check = checkJobs(plan, ids, storeAsPlanned(), fakeReceiver(deliveriesAsPlanned), watch, []);

    expect(check.violations).toContain('job-3 (id-3): moved into completed 2 times');
  });

  it('reports a dead job the receiver did not reject', () => {
    const { server } = fakeServer();
    const stored = storeAsPlanned();
    stored.set('id-0', storedJob('id-0', { state: 'dead', lastError: { ...http404, message: 'the lease of the last attempt expired' } }));

    const check = checkJobs(plan, ids, stored, fakeReceiver(deliveriesAsPlanned), new JobWatch(server, NAMESPACE), []);

    expect(check.violations.some((line) => line.startsWith('job-0 (id-0): dead with "the lease of the last attempt expired"'))).toBe(true);
  });

  it('explains a duplicate delivery by a fault only while the job was active', () => {
    const deliveries = { ...deliveriesAsPlanned, 'job-3': [200, 200] };
    const stored = storeAsPlanned();
    stored.set('id-3', storedJob('id-3', { attempts: 2 }));
    const crash = (exposed: string[]): InjectedFault => ({ kind: FaultKind.functionsCrash, atSeconds: 10, detail: '', exposed: new Set(exposed) });

    const explained = checkJobs(plan, ids, stored, fakeReceiver(deliveries), new JobWatch(fakeServer().server, NAMESPACE), [crash(['id-3'])]);
    const unexplained = checkJobs(plan, ids, stored, fakeReceiver(deliveries), new JobWatch(fakeServer().server, NAMESPACE), [crash(['id-4'])]);

    expect(explained.violations).toEqual([]);
    expect(explained.duplicateDeliveries).toBe(1);
    expect(explained.bound).toBe(1);
    expect(unexplained.violations.some((line) => line.startsWith('job-3 (id-3): 1 attempts beyond its plan'))).toBe(true);
  });

  it('counts a lease expiry without a fault as a stall', () => {
    const { server, update } = fakeServer();
    const watch = new JobWatch(server, NAMESPACE);
    const expiredAt = new Date(Date.now() - 1_000);
    update(
      { _id: 'id-3', state: 'active', leaseToken: 'a', leaseExpiresAt: expiredAt },
      { _id: 'id-3', state: 'delayed', leaseToken: null, lastError: { name: 'LeaseExpiredError', message: 'expired' } },
    );
    const stored = storeAsPlanned();
    stored.set('id-3', storedJob('id-3', { attempts: 2 }));

    const check = checkJobs(plan, ids, stored, fakeReceiver({ ...deliveriesAsPlanned, 'job-3': [200, 200] }), watch, []);

    expect(check.stalls).toBe(1);
    expect(check.violations).toEqual([]);
  });

  it('does not count a takeover of a live lease', () => {
    const { server, update } = fakeServer();
    const watch = new JobWatch(server, NAMESPACE);
    update({ _id: 'id-3', state: 'active', leaseToken: 'a', leaseExpiresAt: new Date(Date.now() + 60_000) }, { _id: 'id-3', state: 'active', leaseToken: 'b' });

    expect(watch.leaseExpiriesOf('id-3')).toBe(0);
  });
});

describe('planFaults', () => {
  it('places every fault inside the window in time order', () => {
    const counts = { [FaultKind.functionsCrash]: 3, [FaultKind.redisMasterKill]: 1, [FaultKind.sqsRestart]: 1, [FaultKind.mongoDrop]: 2 };

    const faults = planFaults(counts, 1_000, 9_000, seededRandom(7));

    expect(faults).toHaveLength(7);
    expect(faults.every((fault) => fault.atMs >= 1_000 && fault.atMs <= 9_000)).toBe(true);
    expect(faults.map((fault) => fault.atMs)).toEqual([...faults.map((fault) => fault.atMs)].sort((a, b) => a - b));
    expect(faults.filter((fault) => fault.kind === FaultKind.functionsCrash)).toHaveLength(3);
  });

  it('repeats a schedule for the same seed', () => {
    const counts = { [FaultKind.functionsCrash]: 2, [FaultKind.redisMasterKill]: 1, [FaultKind.sqsRestart]: 1, [FaultKind.mongoDrop]: 1 };

    expect(planFaults(counts, 0, 10_000, seededRandom(42))).toEqual(planFaults(counts, 0, 10_000, seededRandom(42)));
    expect(planFaults(counts, 0, 10_000, seededRandom(42))).not.toEqual(planFaults(counts, 0, 10_000, seededRandom(43)));
  });
});
