import type { Services } from '../../lib/clients';
import { buildJob } from '../../lib/enqueue/build-job';
import type { JobDocument } from '../../lib/jobs/job';
import type { JobState } from '../../lib/jobs/states';
import { encodeCursor, listQueueJobs } from '../../lib/jobs-admin/list-jobs';
import { insertJobs } from '../../lib/store/job-store';
import { testServices } from '../support/services';

/** Far ahead, so the TTL monitor never deletes these jobs during the test. */
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

let services: Services;
let close: () => Promise<void>;

beforeAll(async () => {
  const created = await testServices();
  services = created.services;
  close = created.close;
});

afterAll(async () => {
  await close();
});

beforeEach(async () => {
  await services.jobs.deleteMany({});
});

function finishedJob(id: string, state: JobState, finishedAt: Date, queue = 'default'): JobDocument {
  const job = buildJob(queue, { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, services.jobTypes, t0, [], id);
  return { ...job, state, finishedAt, expiresAt: new Date(finishedAt.getTime() + 86_400_000) };
}

describe('listQueueJobs', () => {
  it('pages through dead jobs, newest first', async () => {
    await insertJobs(services.jobs, [
      finishedJob('dead-1', 'dead', at(10)),
      finishedJob('dead-2', 'dead', at(20)),
      finishedJob('dead-3a', 'dead', at(30)),
      finishedJob('dead-3b', 'dead', at(30)),
      finishedJob('dead-4', 'dead', at(40)),
      finishedJob('dead-5', 'dead', at(50)),
      finishedJob('dead-6', 'dead', at(60)),
      finishedJob('completed-1', 'completed', at(70)),
      finishedJob('dead-elsewhere', 'dead', at(80), 'webhooks'),
    ]);

    const first = await listQueueJobs(services, 'default', { state: 'dead', limit: '3' });
    expect(first.jobs.map((job) => job.id)).toEqual(['dead-6', 'dead-5', 'dead-4']);
    expect(first.next).toEqual(expect.any(String));

    const second = await listQueueJobs(services, 'default', { state: 'dead', limit: '3', after: first.next as string });
    expect(second.jobs.map((job) => job.id)).toEqual(['dead-3b', 'dead-3a', 'dead-2']);

    const third = await listQueueJobs(services, 'default', { state: 'dead', limit: '3', after: second.next as string });
    expect(third.jobs.map((job) => job.id)).toEqual(['dead-1']);
    expect(third.next).toBeNull();
    expect(third.jobs[0]).toMatchObject({ queue: 'default', state: 'dead', finishedAt: at(10).toISOString() });
  });

  it('returns 50 jobs by default', async () => {
    await insertJobs(services.jobs, Array.from({ length: 51 }, (_, index) => finishedJob(`dead-${String(index).padStart(2, '0')}`, 'dead', at(index))));
    const page = await listQueueJobs(services, 'default', { state: 'dead' });
    expect(page.jobs).toHaveLength(50);
    expect(page.jobs[0]?.id).toBe('dead-50');
    expect((await listQueueJobs(services, 'default', { state: 'dead', after: page.next as string })).jobs.map((job) => job.id)).toEqual(['dead-00']);
  });

  it('lists the other finished states', async () => {
    await insertJobs(services.jobs, [finishedJob('done', 'completed', at(1)), finishedJob('stopped', 'cancelled', at(2))]);
    expect((await listQueueJobs(services, 'default', { state: 'completed' })).jobs.map((job) => job.id)).toEqual(['done']);
    expect((await listQueueJobs(services, 'default', { state: 'cancelled' })).jobs.map((job) => job.id)).toEqual(['stopped']);
  });

  it.each([
    [{ state: 'dead', limit: '0' }, 'limit', 'at least 1'],
    [{ state: 'dead', limit: '101' }, 'limit', 'at most 100'],
    [{ state: 'dead', limit: 'ten' }, 'limit', 'whole number'],
    [{ state: 'dead', limit: '2.5' }, 'limit', 'whole number'],
    [{ state: 'active' }, 'state', 'dead, completed, cancelled'],
    [{}, 'state', 'is required'],
    [{ state: 'dead', after: 'not-a-cursor' }, 'after', 'not a cursor'],
    [{ state: 'dead', after: Buffer.from('["yesterday","x"]').toString('base64url') }, 'after', 'not a cursor'],
    [{ state: 'dead', sort: 'asc' }, '(query)', 'unknown fields sort'],
    [{ updatedAfter: 'yesterday' }, 'updatedAfter', 'ISO 8601'],
    [{ updatedAfter: '2030-01-01T00:00:00Z', state: 'waiting' }, 'state', 'queued, delayed, active'],
  ])('rejects the query %j', async (query, field, message) => {
    const error = await listQueueJobs(services, 'default', query).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 400, message: expect.stringContaining(field) });
    expect(error).toMatchObject({ problems: [expect.objectContaining({ field, message: expect.stringContaining(message) })] });
  });

  it('rejects an undefined queue', async () => {
    await expect(listQueueJobs(services, 'missing', { state: 'dead' })).rejects.toMatchObject({ statusCode: 404 });
  });

  it('lists jobs of every state updated after a time, oldest update first', async () => {
    const updated = (id: string, state: JobState, seconds: number, queue = 'default'): JobDocument => ({
      ...buildJob(queue, { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, services.jobTypes, t0, [], id),
      state,
      updatedAt: at(seconds),
    });
    await insertJobs(services.jobs, [
      updated('before', 'queued', 5),
      updated('at-boundary', 'queued', 10),
      updated('queued-b', 'queued', 20),
      updated('queued-a', 'queued', 20),
      updated('active', 'active', 30),
      updated('delayed', 'delayed', 40),
      updated('elsewhere', 'queued', 50, 'webhooks'),
    ]);

    const first = await listQueueJobs(services, 'default', { updatedAfter: at(10).toISOString(), limit: '2' });
    expect(first.jobs.map((job) => job.id)).toEqual(['queued-a', 'queued-b']);
    expect(first.next).toEqual(expect.any(String));
    const second = await listQueueJobs(services, 'default', { updatedAfter: at(10).toISOString(), limit: '2', after: first.next as string });
    expect(second.jobs.map((job) => job.id)).toEqual(['active', 'delayed']);
    expect(second.next).toBeNull();

    const active = await listQueueJobs(services, 'default', { updatedAfter: at(0).toISOString(), state: 'active' });
    expect(active.jobs.map((job) => job.id)).toEqual(['active']);
  });

  it('rejects a cursor of the other listing', async () => {
    const finishedCursor = encodeCursor({ finishedAt: at(2), id: 'b' });
    const error = await listQueueJobs(services, 'default', { updatedAfter: at(0).toISOString(), after: finishedCursor }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 400, problems: [expect.objectContaining({ field: 'after' })] });
    const updatedCursor = encodeCursor({ updatedAt: at(2), id: 'b' });
    await expect(listQueueJobs(services, 'default', { state: 'dead', after: updatedCursor })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('encodes a cursor it can read back', async () => {
    await insertJobs(services.jobs, [finishedJob('a', 'dead', at(1)), finishedJob('b', 'dead', at(2))]);
    const after = encodeCursor({ finishedAt: at(2), id: 'b' });
    expect((await listQueueJobs(services, 'default', { state: 'dead', after })).jobs.map((job) => job.id)).toEqual(['a']);
  });
});
