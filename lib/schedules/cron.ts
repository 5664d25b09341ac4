import { Cron } from 'croner';
import { SluiceError } from '../errors';
import { MissedSlotPolicy } from './schedule';

/** Nicknames croner 9 accepts in place of five fields. */
const CRON_NICKNAME = /^@(yearly|annually|monthly|weekly|daily|hourly)$/i;
const CRON_FIELDS = 5;
/** Widest window searched for the latest missed slot: 400 days covers every five-field expression. */
const MAX_MISSED_SLOT_WINDOW_MS = 400 * 24 * 60 * 60 * 1000;

/**
 * Compiles a cron expression for the time zone. Croner 9 evaluates it with Vixie cron semantics
 * (when both day fields are restricted, a day matching either runs). Throws croner's error for a
 * bad expression or time zone; {@link cronProblem} and {@link timeZoneProblem} explain them.
 */
export function compileCron(expression: string, timeZone: string): Cron {
  // `paused` keeps croner from starting a timer, because Sluice only reads run times from it.
  return new Cron(expression, { timezone: timeZone, paused: true });
}

/**
 * Returns why `expression` is not a usable cron expression, or undefined when it is. Only the
 * five-field form and the @-nicknames are accepted: a seconds field would let one schedule
 * create 900 jobs per 15-minute lookahead.
 */
export function cronProblem(expression: string): string | undefined {
  const trimmed = expression.trim();
  if (!CRON_NICKNAME.test(trimmed) && trimmed.split(/\s+/).length !== CRON_FIELDS) {
    return 'must have five fields (minute hour day-of-month month day-of-week), such as "*/5 * * * *", or be @hourly, @daily, @weekly, @monthly or @yearly';
  }
  let cron: Cron;
  try {
    cron = compileCron(trimmed, 'UTC');
  } catch (error) {
    return `is invalid (${(error as Error).message}); use five fields: minute hour day-of-month month day-of-week`;
  }
  if (cron.nextRun() === null) {
    return 'never matches a date (such as February 30); check the day and month fields';
  }
  return undefined;
}

/** Returns why `timeZone` is not an IANA time zone name that this runtime's Intl supports, or undefined when it is. */
export function timeZoneProblem(timeZone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return undefined;
  } catch {
    return 'is not an IANA time zone; use a name such as "UTC", "Europe/Berlin" or "America/New_York"';
  }
}

/** Returns the first slot strictly after `after`. Throws when the expression has none, which validation rules out. */
export function slotAfter(cron: Cron, after: Date): Date {
  const next = cron.nextRun(after);
  if (!next) {
    throw new SluiceError(`cron expression ${JSON.stringify(cron.getPattern())} has no slot after ${after.toISOString()}`);
  }
  return next;
}

/** Returns the first slot at or after `at`. */
export function slotAtOrAfter(cron: Cron, at: Date): Date {
  return slotAfter(cron, new Date(at.getTime() - 1));
}

/**
 * Returns the latest slot `s` with `from <= s < before`, or null when there is none. It searches
 * a window that doubles from one minute, so a slot missed long ago costs a few dozen steps,
 * not one per missed slot.
 */
export function latestSlotBetween(cron: Cron, from: Date, before: Date): Date | null {
  if (from.getTime() >= before.getTime()) {
    return null;
  }
  for (let windowMs = 60_000; ; windowMs *= 2) {
    const start = new Date(Math.max(from.getTime(), before.getTime() - windowMs));
    let latest: Date | null = null;
    for (let slot = slotAtOrAfter(cron, start); slot.getTime() < before.getTime(); slot = slotAfter(cron, slot)) {
      latest = slot;
    }
    if (latest || start.getTime() === from.getTime() || windowMs > MAX_MISSED_SLOT_WINDOW_MS) {
      return latest;
    }
  }
}

export interface SlotPlan {
  /** Slots that get a job now, oldest first. */
  slots: Date[];
  /** The first slot left for a later run. */
  nextSlotAt: Date;
}

/**
 * Plans one materialisation: every slot from `nextSlotAt` up to `horizon`, except slots already
 * in the past (`< now`), which follow the missed-slot policy: `runOnce` keeps the latest of
 * them, `skip` keeps none.
 */
export function planSlots(cron: Cron, nextSlotAt: Date, now: Date, horizon: Date, policy: MissedSlotPolicy): SlotPlan {
  const slots: Date[] = [];
  let cursor = nextSlotAt;
  if (cursor.getTime() < now.getTime()) {
    const latestMissed = policy === MissedSlotPolicy.runOnce ? latestSlotBetween(cron, cursor, now) : null;
    if (latestMissed) {
      slots.push(latestMissed);
    }
    cursor = slotAtOrAfter(cron, now);
  }
  while (cursor.getTime() <= horizon.getTime()) {
    slots.push(cursor);
    cursor = slotAfter(cron, cursor);
  }
  return { slots, nextSlotAt: cursor };
}
