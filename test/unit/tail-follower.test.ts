import { describeChange, QueueFollower } from '../../cli/commands/tail';
import type { AnyJobTypes, Job, JobPage, ListJobsQuery, SluiceClient } from '../../sdk';

const t0 = Date.parse('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();

function job(id: string, state: Job['state'], updatedSeconds: number): Job {
  return {
    id,
    queue: 'webhooks',
    type: 'http',
    state,
    attempts: state === 'queued' ? 0 : 1,
    maxAttempts: 5,
    runAt: at(0),
    createdAt: at(0),
    updatedAt: at(updatedSeconds),
    startedAt: null,
    finishedAt: null,
    lastError: null,
    result: null,
    deferrals: 0,
    priority: 0,
    history: [],
  };
}

/** A client whose listing returns the queued pages in turn and records each query. */
function fakeClient(pages: JobPage[]): { client: SluiceClient<AnyJobTypes>; queries: ListJobsQuery[] } {
  const queries: ListJobsQuery[] = [];
  const listJobs = async (_queue: string, query: ListJobsQuery): Promise<JobPage> => {
    queries.push(query);
    return pages.shift() ?? { jobs: [], next: null };
  };
  return { client: { listJobs } as unknown as SluiceClient<AnyJobTypes>, queries };
}

describe('QueueFollower', () => {
  it('reports each state change once, with the previous state', async () => {
    const { client, queries } = fakeClient([
      { jobs: [job('a', 'queued', 1)], next: 'cursor-1' },
      { jobs: [job('b', 'queued', 2)], next: null },
      // The lookback lists a and b again; only a changed.
      { jobs: [job('b', 'queued', 2), job('a', 'completed', 3)], next: null },
      { jobs: [job('a', 'completed', 3)], next: null },
    ]);
    const follower = new QueueFollower(client, 'webhooks', new Date(at(0)));

    const first = await follower.poll();
    expect(first.map((change) => [change.job.id, change.previous, change.job.state])).toEqual([
      ['a', null, 'queued'],
      ['b', null, 'queued'],
    ]);
    const second = await follower.poll();
    expect(second.map((change) => [change.job.id, change.previous, change.job.state])).toEqual([['a', 'queued', 'completed']]);
    expect(await follower.poll()).toEqual([]);

    expect(queries[0]).toMatchObject({ updatedAfter: new Date(t0 - 2_000), limit: 100 });
    expect(queries[1]).toMatchObject({ after: 'cursor-1' });
    // Later polls start 2 s before the newest update seen: b at 2 s, then a at 3 s.
    expect(queries[2]?.updatedAfter).toEqual(new Date(t0));
    expect(queries[3]?.updatedAfter).toEqual(new Date(t0 + 1_000));
  });

  it('passes the state filter to the listing', async () => {
    const { client, queries } = fakeClient([]);
    await new QueueFollower(client, 'webhooks', new Date(at(0)), 'dead').poll();
    expect(queries[0]).toMatchObject({ state: 'dead' });
  });
});

describe('describeChange', () => {
  it('prints the transition and the last error of a dead job', () => {
    const dead = { ...job('a', 'dead', 3), lastError: { name: 'PermanentJobError', message: 'POST http://127.0.0.1:9/ returned HTTP 404', attempt: 1, at: at(3), permanent: true } };
    expect(describeChange({ job: dead, previous: 'active' })).toBe(`${at(3)}  a  http  active -> dead  attempts 1/5  POST http://127.0.0.1:9/ returned HTTP 404`);
    expect(describeChange({ job: job('b', 'queued', 1), previous: null })).toBe(`${at(1)}  b  http  queued  attempts 0/5`);
  });
});
