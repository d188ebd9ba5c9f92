// The schedules panel's rules, without a DOM: the readable picker's choices as EventBridge Scheduler expressions,
// the human reading of an expression, the preview of the next runs in a time zone, and what a run's outcome says.
import { ScheduleExpressionError, checkStillFires, checkTimeZone, isTimeZone, nextRuns, parseScheduleExpression } from '#domain/schedule-expression';
import type { ScheduleRun } from '#domain/schemas';

export const WEEKDAYS = [
  { value: 'MON', name: 'Monday' }, { value: 'TUE', name: 'Tuesday' }, { value: 'WED', name: 'Wednesday' },
  { value: 'THU', name: 'Thursday' }, { value: 'FRI', name: 'Friday' }, { value: 'SAT', name: 'Saturday' }, { value: 'SUN', name: 'Sunday' },
] as const;
export type Weekday = (typeof WEEKDAYS)[number]['value'];

/** What the picker offers: a time of day every day or on one weekday, every N days, or an expression as typed. */
export type Cadence =
  | { kind: 'daily'; time: string }
  | { kind: 'weekly'; day: Weekday; time: string }
  | { kind: 'every'; days: number }
  | { kind: 'raw'; expression: string };

export const MAX_EVERY_DAYS = 365;

/** "03:30" → [3, 30]; anything else is not a time of day. */
function timeOfDay(time: string): [number, number] | null {
  const match = /^(\d{1,2}):(\d{2})$/.exec(time.trim());
  if (!match) return null;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  return hour <= 23 && minute <= 59 ? [hour, minute] : null;
}

/** The Scheduler expression of a picker choice, or a sentence saying what to fix. */
export function expressionOf(cadence: Cadence): { expression: string } | { error: string } {
  switch (cadence.kind) {
    case 'daily':
    case 'weekly': {
      const hm = timeOfDay(cadence.time);
      if (!hm) return { error: 'Pick a time of day, such as 03:00.' };
      const [hour, minute] = hm;
      return { expression: cadence.kind === 'daily' ? `cron(${minute} ${hour} * * ? *)` : `cron(${minute} ${hour} ? * ${cadence.day} *)` };
    }
    case 'every': {
      const days = cadence.days;
      if (!Number.isInteger(days) || days < 1 || days > MAX_EVERY_DAYS) return { error: `Give a whole number of days from 1 to ${MAX_EVERY_DAYS}.` };
      return { expression: days === 1 ? 'rate(1 day)' : `rate(${days} days)` };
    }
    case 'raw': {
      const expression = cadence.expression.trim();
      if (!expression) return { error: 'Write an expression such as cron(0 3 ? * MON *), rate(7 days) or at(2027-01-01T03:00:00).' };
      return { expression };
    }
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
const DAY_NAMES: Record<string, string> = Object.fromEntries(WEEKDAYS.map((d) => [d.value, d.name]));
// Scheduler's day-of-week numbers: 1 is Sunday.
const DAY_NUMBERS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function dayName(field: string): string | null {
  const upper = field.toUpperCase();
  if (/^[1-7]$/.test(upper)) return DAY_NAMES[DAY_NUMBERS[Number(upper) - 1]!]!;
  return DAY_NAMES[upper] ?? null;
}

/** "Every Monday at 03:00", "Every day at 03:30", "Every 3 days", "Once, on 2027-01-01 at 03:00"; otherwise the expression. */
export function describeExpression(expression: string): string {
  let parsed;
  try {
    parsed = parseScheduleExpression(expression);
  } catch {
    return expression;
  }
  if (parsed.kind === 'rate') return parsed.value === 1 ? `Every ${parsed.unit}` : `Every ${parsed.value} ${parsed.unit}s`;
  if (parsed.kind === 'at') {
    const [date, time] = parsed.localTime.split('T');
    return `Once, on ${date} at ${time!.slice(0, 5)}`;
  }
  const fields = expression.trim().slice(5, -1).trim().split(/\s+/);
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields;
  if (fields.length === 6 && /^\d+$/.test(minute!) && /^\d+$/.test(hour!) && month === '*' && year === '*') {
    const at = `${pad(Number(hour))}:${pad(Number(minute))}`;
    if ((dayOfMonth === '*' && dayOfWeek === '?') || (dayOfMonth === '?' && dayOfWeek === '*')) return `Every day at ${at}`;
    if (dayOfMonth === '?') {
      if (dayOfWeek!.toUpperCase() === 'MON-FRI') return `Every weekday at ${at}`;
      const days = dayOfWeek!.split(',').map(dayName);
      if (days.every(Boolean)) return `Every ${days.length === 1 ? days[0] : `${days.slice(0, -1).join(', ')} and ${days.at(-1)}`} at ${at}`;
    }
    if (dayOfWeek === '?' && /^\d+$/.test(dayOfMonth!)) return `Monthly on day ${dayOfMonth} at ${at}`;
  }
  return expression;
}

/** A moment as the person reads it in the schedule's zone: "Mon 7 Dec 2026, 03:00 CET". */
export function formatInZone(at: Date | string, timezone: string): string {
  const zone = isTimeZone(timezone) ? timezone : 'UTC';
  return new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
  }).format(typeof at === 'string' ? new Date(at) : at);
}

/** The next `count` runs of an expression in a zone, as the preview shows them; or the domain's sentence on why not. */
export function previewRuns(expression: string, timezone: string, now: Date, count = 3): { runs: string[] } | { error: string } {
  try {
    checkTimeZone(timezone);
    checkStillFires(expression, timezone, now);
    return { runs: nextRuns(expression, timezone, now, count, { start: now }).map((at) => formatInZone(at, timezone)) };
  } catch (error) {
    if (error instanceof ScheduleExpressionError) return { error: error.message };
    throw error;
  }
}

/** The zones the browser knows, UTC first; the browser's own zone is the default. */
export function timeZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}

export function browserZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && isTimeZone(zone) ? zone : 'UTC';
}

export type OutcomeTone = 'started' | 'skipped' | 'failed';

/** What a run's outcome says in the list: STARTED names its job, SKIPPED and FAILED give the run's reason. */
export function outcomeText(run: ScheduleRun): { tone: OutcomeTone; text: string } {
  const reason = run.reason?.trim().replace(/\.$/, '');
  switch (run.outcome) {
    case 'STARTED':
      return { tone: 'started', text: run.datasetVersion !== undefined ? `Training started on v${run.datasetVersion}` : 'Training started' };
    case 'SKIPPED':
      return { tone: 'skipped', text: `skipped: ${reason ? lowerFirst(reason) : run.datasetVersion !== undefined ? `dataset unchanged since v${run.datasetVersion}` : 'nothing to train'}` };
    case 'FAILED':
      return { tone: 'failed', text: `failed: ${reason ? lowerFirst(reason) : 'the run could not start'}` };
  }
}

/** "Dataset unchanged…" → "dataset unchanged…", but "INVALID…" or "S3…" stay as written. */
const lowerFirst = (text: string) => (/^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text);

/** A default name for a new schedule: "Weekly retrain · portraits". */
export function defaultScheduleName(cadence: Cadence, datasetName: string | undefined): string {
  const what = cadence.kind === 'daily' ? 'Daily retrain' : cadence.kind === 'weekly' ? 'Weekly retrain'
    : cadence.kind === 'every' ? (cadence.days === 1 ? 'Daily retrain' : `Retrain every ${cadence.days} days`) : 'Scheduled retrain';
  return datasetName ? `${what} · ${datasetName}`.slice(0, 80) : what;
}

/** The jobs list's badge for a job a schedule started: "scheduled · Weekly cats" (just "scheduled" once the
 * schedule is deleted); none for a job started by hand. */
export function scheduledBadge(job: { origin: string; scheduleId?: string }, schedules: readonly { id: string; name: string }[]): string | null {
  if (job.origin !== 'schedule') return null;
  const name = schedules.find((x) => x.id === job.scheduleId)?.name;
  return name ? `scheduled · ${name}` : 'scheduled';
}
