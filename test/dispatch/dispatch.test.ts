import type { Services } from '../../lib/clients';
import { runDispatch } from '../../lib/dispatch/dispatch';
import { buildJob } from '../../lib/enqueue/build-job';
import type { JobDocument } from '../../lib/jobs/job';
import { QueueUrlResolver } from '../../lib/sqs/queue-urls';
import { findJob, insertJobs } from '../../lib/store/job-store';
import { countMessages, createTestQueues, purge, receiveBodies } from '../support/queues';
import { testServices } from '../support/services';

let services: Services;
let close: () => Promise<void>;
let queueUrl: string;

beforeAll(async () => {
  const created = await testServices();
  services = created.services;
  close = created.close;
  queueUrl = (await createTestQueues(services)).get('default')?.url as string;
});

afterAll(async () => {
  await close();
});

beforeEach(async () => {
  await services.jobs.deleteMany({});
  await purge(services, queueUrl);
});

/** Inserts a job in the outbox, written two minutes ago (past the grace period), due `dueInSeconds` from now. */
async function outboxJob(dueInSeconds: number): Promise<JobDocument> {
  const twoMinutesAgo = new Date(Date.now() - 120_000);
  const job = buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, services.jobTypes, twoMinutesAgo);
  const runAt = new Date(Date.now() + dueInSeconds * 1000);
  const stored = { ...job, runAt, state: dueInSeconds > 0 ? ('delayed' as const) : ('queued' as const) };
  await insertJobs(services.jobs, [stored]);
  return stored;
}

describe('runDispatch', () => {
  it('sends outbox jobs due within 15 minutes with their remaining delay', async () => {
    const due = await outboxJob(-30);
    const soon = await outboxJob(600);
    const later = await outboxJob(3_600);

    const report = await runDispatch(services);
    expect(report).toMatchObject({ sent: 2, failed: 0 });
    expect(await findJob(services.jobs, due._id)).toMatchObject({ outbox: false });
    expect(await findJob(services.jobs, soon._id)).toMatchObject({ outbox: false });
    expect(await findJob(services.jobs, later._id)).toMatchObject({ outbox: true, sentAt: null });
    expect((await findJob(services.jobs, due._id))?.dispatchToken).toBeUndefined();

    const counts = await countMessages(services, queueUrl);
    expect(counts.visible).toBe(1);
    expect(counts.delayed).toBe(1);
    expect(await receiveBodies(services, queueUrl)).toEqual([{ jobId: due._id, queue: 'default' }]);
  });

  it('leaves new jobs to the call that enqueued them', async () => {
    const fresh = buildJob('default', { type: 'http', payload: { url: 'http://127.0.0.1:9/' } }, services.jobTypes, new Date());
    await insertJobs(services.jobs, [fresh]);
    expect(await runDispatch(services)).toMatchObject({ sent: 0 });
  });

  it('sends each job once when two runs overlap', async () => {
    for (let index = 0; index < 40; index += 1) {
      await outboxJob(-1);
    }
    const reports = await Promise.all([runDispatch(services, { roundSize: 15 }), runDispatch(services, { roundSize: 15 })]);
    expect(reports.reduce((sum, report) => sum + report.sent, 0)).toBe(40);
    expect((await countMessages(services, queueUrl)).visible).toBe(40);
  });

  it('returns jobs to the outbox when the queue cannot be reached', async () => {
    const job = await outboxJob(-1);
    const broken: Services = { ...services, queueUrls: new QueueUrlResolver(services.sqs) };
    jest.spyOn(broken.queueUrls, 'resolve').mockRejectedValue(new Error('queue does not exist'));

    expect(await runDispatch(broken)).toMatchObject({ sent: 0, failed: 1 });
    expect(await findJob(services.jobs, job._id)).toMatchObject({ outbox: true, sentAt: null });
    expect(await runDispatch(services)).toMatchObject({ sent: 1, failed: 0 });
  });
});
