import { compileCron, cronProblem, latestSlotBetween, planSlots, timeZoneProblem } from '../../lib/schedules/cron';

const t0 = new Date('2030-01-01T00:00:00Z');
const minutes = (count: number) => new Date(t0.getTime() + count * 60_000);

describe('cron slots', () => {
  it('finds the latest missed slot of a long outage', () => {
    const everyMinute = compileCron('* * * * *', 'UTC');
    const thirtyDays = 30 * 24 * 60;
    expect(latestSlotBetween(everyMinute, minutes(1), minutes(thirtyDays + 0.5))).toEqual(minutes(thirtyDays));
    const mondays = compileCron('0 9 * * 1', 'UTC');
    // 2030-01-01 is a Tuesday; the latest Monday 09:00 before February 2030 is January 28.
    expect(latestSlotBetween(mondays, t0, new Date('2030-02-01T00:00:00Z'))).toEqual(new Date('2030-01-28T09:00:00Z'));
    expect(latestSlotBetween(mondays, t0, new Date('2030-01-07T08:00:00Z'))).toBeNull();
  });

  it('plans missed slots per policy', () => {
    const everyMinute = compileCron('* * * * *', 'UTC');
    expect(planSlots(everyMinute, minutes(1), minutes(90.5), minutes(92), 'runOnce')).toEqual({
      slots: [minutes(90), minutes(91), minutes(92)],
      nextSlotAt: minutes(93),
    });
    expect(planSlots(everyMinute, minutes(1), minutes(90.5), minutes(92), 'skip')).toEqual({ slots: [minutes(91), minutes(92)], nextSlotAt: minutes(93) });
    expect(planSlots(everyMinute, minutes(5), minutes(1), minutes(4), 'runOnce')).toEqual({ slots: [], nextSlotAt: minutes(5) });
  });

  it('names what is wrong with an expression or time zone', () => {
    expect(cronProblem('*/15 * * * *')).toBeUndefined();
    expect(cronProblem('@daily')).toBeUndefined();
    expect(cronProblem('* * * *')).toContain('five fields');
    expect(cronProblem('* 25 * * *')).toContain('is invalid');
    expect(timeZoneProblem('Europe/Berlin')).toBeUndefined();
    expect(timeZoneProblem('Europe/Atlantis')).toContain('IANA time zone');
  });
});
