import { InvalidTransitionError } from '../../lib/errors';
import { assertTransition, canTransition, JOB_STATES, JobState, type JobState as State } from '../../lib/jobs/states';

const allowed: [State, State][] = [
  ['queued', 'active'],
  ['delayed', 'active'],
  ['active', 'active'],
  ['active', 'completed'],
  ['active', 'delayed'],
  ['queued', 'delayed'],
  ['delayed', 'delayed'],
  ['active', 'dead'],
  ['dead', 'queued'],
  ['queued', 'cancelled'],
  ['delayed', 'cancelled'],
];

describe('job state machine', () => {
  it.each(allowed)('allows %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition(from, to)).not.toThrow();
  });

  it('rejects every other transition', () => {
    const allowedKeys = new Set(allowed.map(([from, to]) => `${from}->${to}`));
    const rejected = JOB_STATES.flatMap((from) => JOB_STATES.map((to) => [from, to] as const)).filter(([from, to]) => !allowedKeys.has(`${from}->${to}`));
    expect(rejected.length).toBe(JOB_STATES.length ** 2 - allowed.length);
    for (const [from, to] of rejected) {
      expect(canTransition(from, to)).toBe(false);
      expect(() => assertTransition(from, to, 'job-1')).toThrow(InvalidTransitionError);
    }
  });

  it('keeps completed and cancelled terminal', () => {
    for (const to of JOB_STATES) {
      expect(canTransition(JobState.completed, to)).toBe(false);
      expect(canTransition(JobState.cancelled, to)).toBe(false);
    }
  });

  it('names both states in the error', () => {
    expect(() => assertTransition('completed', 'active', 'job-7')).toThrow('job cannot move from completed to active');
  });
});
