import { describe, expect, it } from 'vitest';
import {
  ScheduleExpressionError, ScheduleTimingSchema, checkStillFires, isTimeZone, nextRuns, parseScheduleExpression,
} from '#domain/schedule-expression';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const refusal = (expression: string): string => {
  try {
    parseScheduleExpression(expression);
  } catch (error) {
    expect(error).toBeInstanceOf(ScheduleExpressionError);
    return (error as Error).message;
  }
  throw new Error(`${expression} was accepted`);
};

describe('schedule expressions Scheduler accepts', () => {
  it.each([
    'cron(0 3 ? * MON *)', 'cron(30 8 1 * ? *)', 'cron(0/15 * * * ? *)', 'cron(0 8-17 ? * MON-FRI *)', 'cron(0 3 L * ? *)',
    'cron(0 3 15W * ? *)', 'cron(0 3 LW * ? *)', 'cron(0 3 ? * 6L *)', 'cron(0 3 ? * 2#1 *)', 'cron(0 3 ? JAN-MAR 1 2027-2030)',
    'cron(0 */6 ? * * *)', 'cron(5,35 3 ? * SUN,SAT *)', 'rate(1 minute)', 'rate(5 minutes)', 'rate(1 hour)', 'rate(12 hours)',
    'rate(1 day)', 'rate(7 days)', 'at(2027-01-01T03:00:00)', 'at(2028-02-29T23:59:59)',
  ])('accepts %s', (expression) => {
    expect(() => parseScheduleExpression(expression)).not.toThrow();
  });
});

describe('schedule expressions Scheduler refuses, each with a sentence showing what works', () => {
  it.each([
    ['cron(0 3 * * MON *)', /Exactly one of day-of-month and day-of-week must be \?.*neither.*cron\(0 3 \? \* MON \*\)/],
    ['cron(0 3 ? * ? *)', /Exactly one.*both/],
    ['cron(0 3 * * ?)', /six fields.*has 5/],
    ['cron(0 0 3 ? * MON *)', /six fields.*has 7/],
    ['cron(61 3 ? * MON *)', /minutes field has 61, outside 0-59/],
    ['cron(0 24 ? * MON *)', /hours field has 24, outside 0-23/],
    ['cron(0 3 ? * 8 *)', /day-of-week field has 8, outside 1-7/],
    ['cron(0 3 ? * 0 *)', /day-of-week field has 0, outside 1-7.*1 is SUN/],
    ['cron(0 3 ? * FUNDAY *)', /day-of-week field has "FUNDAY", which is not a number or a name/],
    ['cron(0 3 32 * ? *)', /day-of-month field has 32/],
    ['cron(0 3 ? 13 MON *)', /month field has 13/],
    ['cron(0 3 ? * MON 1969)', /year field has 1969, outside 1970-2199/],
    ['cron(0 3 ? * L *)', /day-of-week field has "L".*6L/],
    ['cron(0 3 ? * 2#6 *)', /week of the month, 1-5/],
    ['cron(0 3 L5 * ? *)', /day-of-month field has "L5"/],
    ['cron(0 17-9 ? * MON *)', /runs backwards/],
    ['cron(0/0 3 ? * MON *)', /positive step/],
    ['cron(0 ? ? * MON *)', /Only day-of-month or day-of-week may be \?/],
    ['rate(0 days)', /value must be 1 or more/],
    ['rate(1 days)', /write rate\(1 day\), not rate\(1 days\)/],
    ['rate(5 minute)', /write rate\(5 minutes\), not rate\(5 minute\)/],
    ['rate(2 weeks)', /minutes, hours or days, not "weeks".*rate\(7 days\)/],
    ['rate(seven days)', /whole number and a unit/],
    ['rate(1.5 hours)', /whole number and a unit/],
    ['at(2027-01-01 03:00:00)', /yyyy-mm-ddThh:mm:ss.*at\(2027-01-01T03:00:00\)/],
    ['at(2027-01-01T03:00:00Z)', /without a zone/],
    ['at(2027-02-30T03:00:00)', /not a date and time that exists/],
    ['at(2027-01-01T24:00:00)', /not a date and time that exists/],
    ['every monday', /not a schedule expression.*at\(\.\.\.\), rate\(\.\.\.\) or cron\(\.\.\.\)/],
    ['', /not a schedule expression/],
  ])('refuses %s', (expression, message) => {
    expect(refusal(expression)).toMatch(message);
  });
});

describe('time zones', () => {
  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata'])('accepts %s', (zone) => expect(isTimeZone(zone)).toBe(true));
  it.each(['Mars/Olympus', '', '+02:00', 'Europe/Berlinn'])('refuses "%s"', (zone) => expect(isTimeZone(zone)).toBe(false));
});

describe('next runs', () => {
  it('runs a weekly cron on Mondays at 03:00 in the zone, on both sides of the spring DST change in Berlin', () => {
    const runs = nextRuns('cron(0 3 ? * MON *)', 'Europe/Berlin', new Date('2026-03-20T00:00:00Z'), 3);
    expect(iso(runs)).toEqual(['2026-03-23T02:00:00.000Z', '2026-03-30T01:00:00.000Z', '2026-04-06T01:00:00.000Z']);
  });

  it('counts day-of-week 1 as Sunday, as Scheduler does', () => {
    expect(iso(nextRuns('cron(0 12 ? * 1 *)', 'UTC', new Date('2026-03-18T00:00:00Z'), 1))).toEqual(['2026-03-22T12:00:00.000Z']);
    expect(iso(nextRuns('cron(0 12 ? * 2 *)', 'UTC', new Date('2026-03-18T00:00:00Z'), 1))).toEqual(['2026-03-23T12:00:00.000Z']);
  });

  it('runs a daily 02:30 once on the day Berlin skips 02:00-03:00, at the first valid time after the gap', () => {
    const runs = nextRuns('cron(30 2 * * ? *)', 'Europe/Berlin', new Date('2026-03-28T00:00:00Z'), 3);
    expect(iso(runs)).toEqual(['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
  });

  it('runs a daily 02:30 once on the day Berlin repeats 02:00-03:00', () => {
    const runs = nextRuns('cron(30 2 * * ? *)', 'Europe/Berlin', new Date('2026-10-24T12:00:00Z'), 2);
    expect(iso(runs)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('runs the last Friday, the first Monday, the last day and the nearest weekday of a month', () => {
    const after = new Date('2026-05-01T00:00:00Z');
    expect(iso(nextRuns('cron(0 9 ? * 6L *)', 'UTC', after, 1))).toEqual(['2026-05-29T09:00:00.000Z']);
    expect(iso(nextRuns('cron(0 9 ? * 2#1 *)', 'UTC', after, 1))).toEqual(['2026-05-04T09:00:00.000Z']);
    expect(iso(nextRuns('cron(0 9 L * ? *)', 'UTC', after, 1))).toEqual(['2026-05-31T09:00:00.000Z']);
    expect(iso(nextRuns('cron(0 9 16W * ? *)', 'UTC', after, 1))).toEqual(['2026-05-15T09:00:00.000Z']);
  });

  it('reads a start/step as Scheduler does (5/20 is 5, 25, 45)', () => {
    expect(iso(nextRuns('cron(5/20 10 * * ? *)', 'UTC', new Date('2026-05-01T00:00:00Z'), 3)))
      .toEqual(['2026-05-01T10:05:00.000Z', '2026-05-01T10:25:00.000Z', '2026-05-01T10:45:00.000Z']);
  });

  it('reads day and month names as Scheduler does (MON-FRI is Monday to Friday)', () => {
    const weekdays = nextRuns('cron(0 8 ? JAN-FEB MON-FRI *)', 'America/New_York', new Date('2026-12-31T00:00:00Z'), 3);
    expect(iso(weekdays)).toEqual(['2027-01-01T13:00:00.000Z', '2027-01-04T13:00:00.000Z', '2027-01-05T13:00:00.000Z']);
  });

  it('ends a cron whose years have passed', () => {
    expect(nextRuns('cron(0 3 ? * MON 2020)', 'UTC', new Date('2026-05-01T00:00:00Z'), 3)).toEqual([]);
  });

  it('runs an at() once, at the local time in its zone, and never after it passed', () => {
    expect(iso(nextRuns('at(2027-01-01T03:00:00)', 'Europe/Berlin', new Date('2026-05-01T00:00:00Z'), 3))).toEqual(['2027-01-01T02:00:00.000Z']);
    expect(nextRuns('at(2027-01-01T03:00:00)', 'Europe/Berlin', new Date('2027-01-01T02:00:00Z'), 3)).toEqual([]);
  });

  it('runs an at() in the spring gap an hour later, and one in the repeated autumn hour at its first occurrence', () => {
    const after = new Date('2026-01-01T00:00:00Z');
    expect(iso(nextRuns('at(2026-03-29T02:30:00)', 'Europe/Berlin', after, 1))).toEqual(['2026-03-29T01:30:00.000Z']);
    expect(iso(nextRuns('at(2026-10-25T02:30:00)', 'Europe/Berlin', after, 1))).toEqual(['2026-10-25T00:30:00.000Z']);
  });

  it('runs a rate() every period from its start', () => {
    const start = new Date('2026-05-01T10:00:00Z');
    expect(iso(nextRuns('rate(7 days)', 'UTC', new Date('2026-05-09T00:00:00Z'), 2, { start })))
      .toEqual(['2026-05-15T10:00:00.000Z', '2026-05-22T10:00:00.000Z']);
    expect(iso(nextRuns('rate(1 hour)', 'UTC', start, 2))).toEqual(['2026-05-01T11:00:00.000Z', '2026-05-01T12:00:00.000Z']);
    expect(iso(nextRuns('rate(30 minutes)', 'UTC', new Date('2026-04-30T00:00:00Z'), 1, { start }))).toEqual(['2026-05-01T10:00:00.000Z']);
  });

  it('refuses an unknown zone', () => {
    expect(() => nextRuns('rate(1 day)', 'Nowhere/Land', new Date(), 1)).toThrow(/not an IANA time zone.*Europe\/Berlin/);
  });
});

describe('an at() in the past', () => {
  it('is refused with a later example', () => {
    expect(() => checkStillFires('at(2020-01-01T03:00:00)', 'UTC', new Date('2026-05-01T00:00:00Z')))
      .toThrow(/at\(2020-01-01T03:00:00\) in UTC has already passed.*at\(2027-01-01T03:00:00\)/);
  });

  it('passes while still ahead, as recurring expressions always do', () => {
    const now = new Date('2026-05-01T00:00:00Z');
    expect(() => checkStillFires('at(2026-05-01T03:00:00)', 'Europe/Berlin', now)).not.toThrow();
    expect(() => checkStillFires('rate(1 day)', 'UTC', now)).not.toThrow();
  });
});

describe('the API schema for an expression and zone', () => {
  it('defaults the zone to UTC', () => {
    expect(ScheduleTimingSchema.parse({ expression: 'rate(7 days)' })).toEqual({ expression: 'rate(7 days)', timezone: 'UTC' });
  });

  it('names the field and the problem for each refusal', () => {
    const result = ScheduleTimingSchema.safeParse({ expression: 'rate(1 days)', timezone: 'Mars/Olympus' });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues).toEqual([
      ['expression', 'A rate of 1 takes the singular unit: write rate(1 day), not rate(1 days).'],
      ['timezone', '"Mars/Olympus" is not an IANA time zone; write a name such as UTC, Europe/Berlin or America/New_York.'],
    ]);
  });
});
