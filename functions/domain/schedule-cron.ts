// EventBridge Scheduler's cron (six fields: minutes hours day-of-month month day-of-week year, with `?` in
// exactly one of the day fields, day-of-week 1-7 = SUN-SAT) checked field by field and translated to croner's
// seven-field pattern (seconds first), which croner then evaluates in the schedule's time zone. The field rules
// are the User Guide's ("Schedule types on EventBridge Scheduler", cron-based schedules).
export const CRON_EXAMPLE = 'cron(0 3 ? * MON *) (03:00 every Monday) or cron(30 8 1 * ? *) (08:30 on the 1st of each month)';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  name: string;
  min: number;
  max: number;
  names?: string[];
  example: string;
}

const FIELDS: Record<'minutes' | 'hours' | 'dayOfMonth' | 'month' | 'dayOfWeek' | 'year', Field> = {
  minutes: { name: 'minutes', min: 0, max: 59, example: '0, 15, 0/15 or 0-30' },
  hours: { name: 'hours', min: 0, max: 23, example: '3, 8-17 or */6' },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31, example: '1, 1-15, L, 15W or ?' },
  month: { name: 'month', min: 1, max: 12, names: MONTHS, example: '*, 1-6 or JAN-MAR' },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: DAYS, example: 'MON, 2-6 (MON-FRI, 1 is SUN), 6L, 2#1 or ?' },
  year: { name: 'year', min: 1970, max: 2199, example: '* or 2027' },
};

/** A refusal of one expression: the sentence says what is wrong and shows what works. */
export class ScheduleExpressionError extends Error {}

const refuse = (message: string): never => {
  throw new ScheduleExpressionError(message);
};

function value(field: Field, text: string): number {
  const named = field.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + field.min;
  if (!/^\d+$/.test(text)) {
    refuse(`The ${field.name} field has "${text}", which is not a number${field.names ? ' or a name' : ''}; use for example ${field.example}.`);
  }
  const n = Number(text);
  if (n < field.min || n > field.max) {
    refuse(`The ${field.name} field has ${n}, outside ${field.min}-${field.max}; use for example ${field.example}.`);
  }
  return n;
}

/** One comma-separated part of a plain field: `*`, `n`, `a-b`, with an optional `/step`. */
function part(field: Field, text: string): string {
  const [range = '', step, extra] = text.split('/');
  if (extra !== undefined || range === '' || (step !== undefined && !/^[1-9]\d*$/.test(step))) {
    refuse(`The ${field.name} field has "${text}"; a step is written start/step or */step with a positive step, e.g. ${field.example}.`);
  }
  const stepped = step === undefined ? '' : `/${step}`;
  if (range === '*') return `*${stepped}`;
  const bounds = range.split('-');
  if (bounds.length > 2) refuse(`The ${field.name} field has "${text}"; a range is written a-b, e.g. ${field.example}.`);
  const numbers = bounds.map((b) => value(field, b));
  const [low = 0, high = low] = numbers;
  if (low > high) {
    refuse(`The ${field.name} field's range "${range}" runs backwards; write the smaller bound first, e.g. ${field.example}.`);
  }
  // croner only accepts a step on a range or `*`; AWS's `5/15` means 5-max/15.
  if (numbers.length === 1 && step !== undefined) return `${low}-${field.max}${stepped}`;
  return numbers.join('-') + stepped;
}

function plain(field: Field, text: string): string {
  return text.split(',').map((p) => part(field, p)).join(',');
}

function dayOfMonth(text: string): string {
  const field = FIELDS.dayOfMonth;
  if (text === 'L' || text === 'LW') return text;
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday?.[1]) return `${value(field, weekday[1])}W`;
  if (/[LW#]/i.test(text)) {
    refuse(`The day-of-month field has "${text}"; L (last day), LW (last weekday) and nW (weekday nearest day n) stand alone, e.g. ${field.example}.`);
  }
  return plain(field, text);
}

function dayOfWeek(text: string): string {
  const field = FIELDS.dayOfWeek;
  const last = /^(\w+)L$/i.exec(text);
  if (last?.[1] && text.toUpperCase() !== 'L') return `${value(field, last[1])}#L`;
  const nth = /^(\w+)#(\d+)$/.exec(text);
  if (nth?.[1]) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) refuse(`The day-of-week field has "${text}"; after # comes the week of the month, 1-5, e.g. 2#1 (the first Monday).`);
    return `${value(field, nth[1])}#${n}`;
  }
  if (/[L#]/i.test(text)) {
    refuse(`The day-of-week field has "${text}"; write nL for the last such day of the month (6L, the last Friday) or n#k for the k-th (2#1, the first Monday).`);
  }
  return plain(field, text);
}

/** The six fields of an AWS cron body (what is inside `cron(...)`), as croner's seven-field pattern. */
export function cronPattern(body: string): string {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    refuse(`A cron expression has six fields (minutes hours day-of-month month day-of-week year), this one has ${fields.length}; write for example ${CRON_EXAMPLE}.`);
  }
  const [minutes = '', hours = '', dom = '', month = '', dow = '', year = ''] = fields;
  if ((dom === '?') === (dow === '?')) {
    refuse(`Exactly one of day-of-month and day-of-week must be ?, this expression has ${dom === '?' ? 'both' : 'neither'}; write for example ${CRON_EXAMPLE}.`);
  }
  if ([minutes, hours, month, year].includes('?')) {
    refuse(`Only day-of-month or day-of-week may be ?; write for example ${CRON_EXAMPLE}.`);
  }
  // croner combines the two day fields with AND (domAndDow), so the `?` one becomes `*`.
  return [
    '0',
    plain(FIELDS.minutes, minutes),
    plain(FIELDS.hours, hours),
    dom === '?' ? '*' : dayOfMonth(dom),
    plain(FIELDS.month, month),
    dow === '?' ? '*' : dayOfWeek(dow),
    plain(FIELDS.year, year),
  ].join(' ');
}

/** The croner options that make its fields mean what Scheduler's mean. */
export const CRONER_OPTIONS = { mode: '7-part', alternativeWeekdays: true, domAndDow: true, paused: true } as const;
