import { randomUUID } from 'node:crypto';
import { createServices, type Services } from '../../lib/clients';
import { materializeSchedules } from '../../lib/schedules/materialize';
import { createSchedule, pauseSchedule, resumeSchedule } from '../../lib/schedules/schedules';
import { findSchedule } from '../../lib/schedules/schedule-store';
import { findJob } from '../../lib/store/job-store';
import { countMessages, createTestQueues } from '../support/queues';
import { testServices } from '../support/services';

const MINUTE = 60_000;
/** A minute boundary far ahead, so no TTL sweep or real clock interferes with simulated time. */
const t0 = new Date('2030-01-01T00:00:00Z');
const at = (minutes: number) => new Date(t0.getTime() + minutes * MINUTE);
/** Materialise only slots that are due, so each call covers exactly the simulated minute. */
const NO_LOOKAHEAD = { lookaheadMs: 0 };

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
  await services.schedules.deleteMany({});
});

function scheduleBody(overrides: Record<string, unknown> = {}) {
  return {
    id: `every-minute-${randomUUID().slice(0, 8)}`,
    queue: 'default',
    cron: '* * * * *',
    job: { type: 'http', payload: { url: 'http://127.0.0.1:9/hook' } },
    ...overrides,
  };
}

async function slotIds(scheduleId: string): Promise<string[]> {
  const jobs = await services.jobs.find({ _id: { $regex: `^sched:${scheduleId}:` } }).sort({ runAt: 1 }).toArray();
  return jobs.map((job) => job._id);
}

describe('materializeSchedules', () => {
  it('creates five jobs over five minutes with a restart', async () => {
    const schedule = await createSchedule(services, scheduleBody(), t0);
    let created = (await materializeSchedules(services, at(0), NO_LOOKAHEAD)).created;
    created += (await materializeSchedules(services, at(1), NO_LOOKAHEAD)).created;
    created += (await materializeSchedules(services, at(2), NO_LOOKAHEAD)).created;

    // A restarted dispatch: new clients, same database.
    const restarted = createServices(services.config);
    try {
      created += (await materializeSchedules(restarted, at(3), NO_LOOKAHEAD)).created;
      const overlapping = await Promise.all([materializeSchedules(services, at(4), NO_LOOKAHEAD), materializeSchedules(restarted, at(4), NO_LOOKAHEAD)]);
      created += overlapping.reduce((sum, result) => sum + result.created, 0);
      created += (await materializeSchedules(restarted, at(5), NO_LOOKAHEAD)).created;
      // The same instant again, as after a crash before the run finished.
      created += (await materializeSchedules(services, at(5), NO_LOOKAHEAD)).created;
    } finally {
      await restarted.mongo.close();
      restarted.redis.disconnect();
      restarted.sqs.destroy();
    }

    expect(created).toBe(5);
    expect(await slotIds(schedule.id)).toEqual([1, 2, 3, 4, 5].map((minute) => `sched:${schedule.id}:${at(minute).toISOString()}`));
    expect((await findSchedule(services.schedules, schedule.id))?.nextSlotAt).toEqual(at(6));
  });

  it('builds each job like an enqueued job', async () => {
    const schedule = await createSchedule(services, scheduleBody({ job: { type: 'http', payload: { url: 'http://127.0.0.1:9/hook' }, maxAttempts: 2 } }), t0);
    await materializeSchedules(services, at(1), NO_LOOKAHEAD);
    expect(await findJob(services.jobs, `sched:${schedule.id}:${at(1).toISOString()}`)).toMatchObject({
      queue: 'default',
      type: 'http',
      payload: { url: 'http://127.0.0.1:9/hook', method: 'POST' },
      state: 'queued',
      attempts: 0,
      maxAttempts: 2,
      runAt: at(1),
      createdAt: at(1),
    });
  });

  it('materialises slots due within 15 minutes', async () => {
    const schedule = await createSchedule(services, scheduleBody(), t0);
    expect(await materializeSchedules(services, at(0))).toEqual({ created: 15 });
    expect(await materializeSchedules(services, at(1))).toEqual({ created: 1 });
    const ids = await slotIds(schedule.id);
    expect(ids).toHaveLength(16);
    expect(ids.at(-1)).toBe(`sched:${schedule.id}:${at(16).toISOString()}`);
    expect(await findJob(services.jobs, ids[0] as string)).toMatchObject({ state: 'delayed', runAt: at(1) });
  });

  it('creates each slot once under concurrent calls', async () => {
    const schedule = await createSchedule(services, scheduleBody(), t0);
    const results = await Promise.all(Array.from({ length: 8 }, () => materializeSchedules(services, at(0))));
    expect(results.reduce((sum, result) => sum + result.created, 0)).toBe(15);
    expect(await slotIds(schedule.id)).toHaveLength(15);
  });

  it('runs the latest missed slot once after an outage', async () => {
    const schedule = await createSchedule(services, scheduleBody({ missedSlots: 'runOnce' }), t0);
    expect(await materializeSchedules(services, at(60.5), NO_LOOKAHEAD)).toEqual({ created: 1 });
    expect(await slotIds(schedule.id)).toEqual([`sched:${schedule.id}:${at(60).toISOString()}`]);
    expect((await findSchedule(services.schedules, schedule.id))?.nextSlotAt).toEqual(at(61));
    expect(await materializeSchedules(services, at(61), NO_LOOKAHEAD)).toEqual({ created: 1 });
  });

  it('skips missed slots after an outage', async () => {
    const schedule = await createSchedule(services, scheduleBody({ missedSlots: 'skip' }), t0);
    expect(await materializeSchedules(services, at(60.5), NO_LOOKAHEAD)).toEqual({ created: 0 });
    expect(await slotIds(schedule.id)).toEqual([]);
    expect((await findSchedule(services.schedules, schedule.id))?.nextSlotAt).toEqual(at(61));
    expect(await materializeSchedules(services, at(61), NO_LOOKAHEAD)).toEqual({ created: 1 });
    expect(await slotIds(schedule.id)).toEqual([`sched:${schedule.id}:${at(61).toISOString()}`]);
  });

  it('evaluates the cron expression in its time zone', async () => {
    const schedule = await createSchedule(services, scheduleBody({ cron: '0 9 * * *', timeZone: 'America/New_York' }), t0);
    // 09:00 in New York in January is 14:00 UTC.
    expect(schedule.nextSlotAt).toBe('2030-01-01T14:00:00.000Z');
    expect(await materializeSchedules(services, new Date('2030-01-01T13:50:00Z'))).toEqual({ created: 1 });
    expect(await slotIds(schedule.id)).toEqual([`sched:${schedule.id}:2030-01-01T14:00:00.000Z`]);
  });

  it('creates nothing for a paused schedule', async () => {
    const schedule = await createSchedule(services, scheduleBody({ paused: true }), t0);
    expect(await materializeSchedules(services, at(5))).toEqual({ created: 0 });

    const active = await createSchedule(services, scheduleBody(), t0);
    await pauseSchedule(services, active.id, at(0));
    expect(await materializeSchedules(services, at(5))).toEqual({ created: 0 });
    expect(await services.jobs.countDocuments({})).toBe(0);
    expect((await findSchedule(services.schedules, schedule.id))?.paused).toBe(true);
  });

  it('resumes per the missed-slot policy', async () => {
    const runOnce = await createSchedule(services, scheduleBody({ paused: true, missedSlots: 'runOnce' }), t0);
    const skip = await createSchedule(services, scheduleBody({ paused: true, missedSlots: 'skip' }), t0);
    expect(await resumeSchedule(services, runOnce.id, at(30.5))).toMatchObject({ paused: false, nextSlotAt: at(30).toISOString() });
    expect(await resumeSchedule(services, skip.id, at(30.5))).toMatchObject({ paused: false, nextSlotAt: at(31).toISOString() });

    await materializeSchedules(services, at(30.5), NO_LOOKAHEAD);
    expect(await slotIds(runOnce.id)).toEqual([`sched:${runOnce.id}:${at(30).toISOString()}`]);
    expect(await slotIds(skip.id)).toEqual([]);
  });

  it('sends the jobs it creates with their delay', async () => {
    const queueUrl = (await createTestQueues(services)).get('default')?.url as string;
    const before = await countMessages(services, queueUrl);
    const now = new Date();
    const schedule = await createSchedule(services, scheduleBody({ cron: '*/5 * * * *' }), now);
    expect(await materializeSchedules(services, now)).toEqual({ created: 3 });

    const jobs = await services.jobs.find({ _id: { $regex: `^sched:${schedule.id}:` } }).toArray();
    expect(jobs.map((job) => job.outbox)).toEqual([false, false, false]);
    expect((await countMessages(services, queueUrl)).delayed).toBe(before.delayed + 3);
  });
});
