// EventBridge Scheduler's schedule expressions, accepted as Scheduler accepts them (User Guide, "Schedule
// types on EventBridge Scheduler"): `at(yyyy-mm-ddThh:mm:ss)` once, `rate(value unit)` every value
// minutes/hours/days, `cron(minutes hours day-of-month month day-of-week year)`; each in an IANA time zone.
// Pure: the instants asked about are passed in.
import { Cron } from 'croner';
import { z } from 'zod';
import { CRON_EXAMPLE, CRONER_OPTIONS, ScheduleExpressionError, cronPattern } from './schedule-cron';

export { ScheduleExpressionError } from './schedule-cron';

export type ScheduleExpression =
  | { kind: 'at'; expression: string; localTime: string }
  | { kind: 'rate'; expression: string; value: number; unit: 'minute' | 'hour' | 'day'; periodMs: number }
  | { kind: 'cron'; expression: string; pattern: string };

const EXAMPLES = 'cron(0 3 ? * MON *), rate(7 days) or at(2027-01-01T03:00:00)';
const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

const refuse = (message: string): never => {
  throw new ScheduleExpressionError(message);
};

function parseAt(expression: string, body: string): ScheduleExpression {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (!match) {
    refuse(`An at() expression names a local date and time as yyyy-mm-ddThh:mm:ss, without a zone or fraction (the zone is the schedule's time zone); "${body}" is not one, write for example at(2027-01-01T03:00:00).`);
  }
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = match!.slice(1).map(Number);
  const probe = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    refuse(`at(${body}) is not a date and time that exists on the calendar; write for example at(2027-01-01T03:00:00).`);
  }
  return { kind: 'at', expression, localTime: body };
}

function parseRate(expression: string, body: string): ScheduleExpression {
  const match = /^(\d+) +(\w+)$/.exec(body.trim());
  if (!match) {
    refuse(`A rate() expression is a whole number and a unit, e.g. rate(1 day), rate(7 days) or rate(30 minutes); "${body}" is not one.`);
  }
  const amount = Number(match![1]);
  const unit = match![2] ?? '';
  const singular = unit.replace(/s$/, '');
  if (!(singular in UNIT_MS)) {
    refuse(`rate() counts in minutes, hours or days, not "${unit}"; write for example rate(7 days) or rate(12 hours).`);
  }
  if (amount < 1) refuse(`rate(${body}) never fires: the value must be 1 or more, e.g. rate(1 day).`);
  // AWS refuses "rate(1 days)" and "rate(5 minute)": 1 takes the singular, other values the plural.
  if (amount === 1 && unit !== singular) refuse(`A rate of 1 takes the singular unit: write rate(1 ${singular}), not rate(1 ${unit}).`);
  if (amount !== 1 && unit === singular) refuse(`A rate of ${amount} takes the plural unit: write rate(${amount} ${singular}s), not rate(${amount} ${unit}).`);
  const key = singular as keyof typeof UNIT_MS;
  return { kind: 'rate', expression, value: amount, unit: key, periodMs: amount * UNIT_MS[key] };
}

function parseCron(expression: string, body: string): ScheduleExpression {
  const pattern = cronPattern(body);
  try {
    new Cron(pattern, { ...CRONER_OPTIONS, timezone: 'UTC' });
  } catch (error) {
    refuse(`cron(${body}) is not a schedule Loraworks can evaluate (${(error as Error).message.replace(/^CronPattern: /, '')}); write for example ${CRON_EXAMPLE}.`);
  }
  return { kind: 'cron', expression, pattern };
}

/** Parses a Scheduler expression; throws ScheduleExpressionError with a sentence that shows what works. */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const match = /^(at|rate|cron)\((.*)\)$/s.exec(expression.trim());
  if (!match) {
    refuse(`"${expression}" is not a schedule expression; write at(...), rate(...) or cron(...), for example ${EXAMPLES}.`);
  }
  const [, kind, body = ''] = match!;
  if (kind === 'at') return parseAt(expression, body);
  if (kind === 'rate') return parseRate(expression, body);
  return parseCron(expression, body);
}

/** Whether `timezone` is an IANA time zone name this runtime knows (as Intl does). */
export function isTimeZone(timezone: string): boolean {
  if (timezone.trim() === '' || /^[+-]?\d/.test(timezone)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

export function checkTimeZone(timezone: string): void {
  if (!isTimeZone(timezone)) {
    refuse(`"${timezone}" is not an IANA time zone; write a name such as UTC, Europe/Berlin or America/New_York.`);
  }
}

export interface NextRunsOptions {
  /** Where a rate() schedule counts from (Scheduler: its StartDate, else its creation). @default `after` */
  start?: Date;
}

/**
 * The next `count` fire times strictly after `after`: an at() once (none once it has passed), a rate() every
 * period from `start`, a cron() in the zone (DST as croner handles it: a time in the spring gap runs at the
 * first valid time after it, a time repeated in autumn runs once).
 */
export function nextRuns(expression: string | ScheduleExpression, timezone: string, after: Date, count: number, options: NextRunsOptions = {}): Date[] {
  const parsed = typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
  checkTimeZone(timezone);
  if (count <= 0) return [];
  switch (parsed.kind) {
    case 'at': {
      const at = new Cron(parsed.localTime, { timezone, paused: true }).nextRun(new Date(0));
      return at && at.getTime() > after.getTime() ? [at] : [];
    }
    case 'rate': {
      const start = (options.start ?? after).getTime();
      const done = after.getTime() < start ? 0 : Math.floor((after.getTime() - start) / parsed.periodMs) + 1;
      return Array.from({ length: count }, (_, i) => new Date(start + (done + i) * parsed.periodMs)).filter((d) => d.getTime() > after.getTime());
    }
    case 'cron':
      return new Cron(parsed.pattern, { ...CRONER_OPTIONS, timezone }).nextRuns(count, after);
  }
}

/** The expression and zone of a schedule as the API takes them; a refusal is the issue's sentence. */
export const ScheduleTimingSchema = z
  .object({
    expression: z.string().max(256),
    timezone: z.string().max(50).default('UTC'),
  })
  .superRefine((value, ctx) => {
    try {
      parseScheduleExpression(value.expression);
    } catch (error) {
      if (!(error instanceof ScheduleExpressionError)) throw error;
      ctx.addIssue({ code: 'custom', path: ['expression'], message: error.message });
    }
    if (!isTimeZone(value.timezone)) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: `"${value.timezone}" is not an IANA time zone; write a name such as UTC, Europe/Berlin or America/New_York.` });
    }
  });
export type ScheduleTiming = z.infer<typeof ScheduleTimingSchema>;

/** Refuses an at() that has already passed at `now` (it would never fire); other expressions always pass. */
export function checkStillFires(expression: string, timezone: string, now: Date): void {
  const parsed = parseScheduleExpression(expression);
  if (nextRuns(parsed, timezone, now, 1).length === 0) {
    refuse(`${expression} in ${timezone} has already passed, so it would never run; choose a later time, e.g. at(${now.getUTCFullYear() + 1}-01-01T03:00:00).`);
  }
}
