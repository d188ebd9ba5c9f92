// The web app's schedules panel without a browser: the readable picker's choices as the expressions Scheduler
// takes, how the list reads an expression and a run, the preview of the next runs in a zone, and what the
// schedule actions make of the API's answers and the live pushes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CreateScheduleRequest, type Schedule } from '#domain/schemas';
import { describeExpression, expressionOf, formatInZone, outcomeText, previewRuns, timeZones } from '#web/schedule-rules';

describe('the readable picker', () => {
  it('writes daily, weekly and every-N-days choices as Scheduler expressions', () => {
    expect(expressionOf({ kind: 'daily', time: '03:30' })).toEqual({ expression: 'cron(30 3 * * ? *)' });
    expect(expressionOf({ kind: 'weekly', day: 'MON', time: '03:00' })).toEqual({ expression: 'cron(0 3 ? * MON *)' });
    expect(expressionOf({ kind: 'every', days: 3 })).toEqual({ expression: 'rate(3 days)' });
    expect(expressionOf({ kind: 'every', days: 1 })).toEqual({ expression: 'rate(1 day)' });
    expect(expressionOf({ kind: 'raw', expression: ' at(2027-01-01T03:00:00) ' })).toEqual({ expression: 'at(2027-01-01T03:00:00)' });
  });

  it('produces only expressions the API accepts', () => {
    const choices = [
      expressionOf({ kind: 'daily', time: '00:00' }), expressionOf({ kind: 'daily', time: '23:59' }),
      expressionOf({ kind: 'weekly', day: 'SUN', time: '12:05' }), expressionOf({ kind: 'every', days: 365 }),
    ];
    for (const choice of choices) {
      expect('expression' in choice).toBe(true);
      const body = { name: 'n', datasetId: 'ds_0123456789abcdef', trainerId: 't', expression: (choice as { expression: string }).expression };
      expect(CreateScheduleRequest.safeParse(body).success, JSON.stringify(body)).toBe(true);
    }
  });

  it('says what to fix in a choice that makes no expression', () => {
    expect(expressionOf({ kind: 'daily', time: '' })).toEqual({ error: 'Pick a time of day, such as 03:00.' });
    expect(expressionOf({ kind: 'weekly', day: 'MON', time: '25:00' })).toEqual({ error: 'Pick a time of day, such as 03:00.' });
    expect(expressionOf({ kind: 'every', days: 0 })).toMatchObject({ error: expect.stringMatching(/whole number of days from 1/) });
    expect(expressionOf({ kind: 'every', days: 1.5 })).toMatchObject({ error: expect.stringMatching(/whole number/) });
    expect(expressionOf({ kind: 'raw', expression: '  ' })).toMatchObject({ error: expect.stringMatching(/cron\(0 3 \? \* MON \*\)/) });
  });
});

describe('how the list reads an expression', () => {
  it('reads the picker’s expressions and common crons as sentences', () => {
    expect(describeExpression('cron(0 3 ? * MON *)')).toBe('Every Monday at 03:00');
    expect(describeExpression('cron(30 3 * * ? *)')).toBe('Every day at 03:30');
    expect(describeExpression('cron(0 9 ? * MON-FRI *)')).toBe('Every weekday at 09:00');
    expect(describeExpression('cron(15 22 ? * MON,WED,FRI *)')).toBe('Every Monday, Wednesday and Friday at 22:15');
    expect(describeExpression('cron(0 4 1 * ? *)')).toBe('Monthly on day 1 at 04:00');
    expect(describeExpression('rate(3 days)')).toBe('Every 3 days');
    expect(describeExpression('rate(1 hour)')).toBe('Every hour');
    expect(describeExpression('at(2027-01-01T03:00:00)')).toBe('Once, on 2027-01-01 at 03:00');
  });

  it('shows any other expression as it is written', () => {
    expect(describeExpression('cron(0/15 * * * ? *)')).toBe('cron(0/15 * * * ? *)');
    expect(describeExpression('nonsense')).toBe('nonsense');
  });
});

describe('the preview of the next runs', () => {
  const now = new Date('2026-12-02T05:00:00.000Z'); // a Wednesday

  it('shows the next three runs in the chosen zone', () => {
    expect(previewRuns('cron(0 3 ? * MON *)', 'Europe/Paris', now)).toEqual({
      runs: ['Mon, 7 Dec 2026, 03:00 CET', 'Mon, 14 Dec 2026, 03:00 CET', 'Mon, 21 Dec 2026, 03:00 CET'],
    });
    expect(previewRuns('cron(30 3 * * ? *)', 'America/New_York', now)).toEqual({
      runs: ['Wed, 2 Dec 2026, 03:30 GMT-5', 'Thu, 3 Dec 2026, 03:30 GMT-5', 'Fri, 4 Dec 2026, 03:30 GMT-5'],
    });
  });

  it('counts a rate from now', () => {
    expect(previewRuns('rate(3 days)', 'UTC', now)).toEqual({
      runs: ['Sat, 5 Dec 2026, 05:00 UTC', 'Tue, 8 Dec 2026, 05:00 UTC', 'Fri, 11 Dec 2026, 05:00 UTC'],
    });
  });

  it('shows the domain’s sentence for an expression that does not parse, an unknown zone, or an at() in the past', () => {
    expect(previewRuns('cron(0 3 * * MON *)', 'UTC', now)).toMatchObject({ error: expect.stringMatching(/cron/) });
    expect(previewRuns('rate(1 days)', 'UTC', now)).toEqual({ error: 'A rate of 1 takes the singular unit: write rate(1 day), not rate(1 days).' });
    expect(previewRuns('cron(0 3 ? * MON *)', 'Mars/Olympus', now)).toMatchObject({ error: expect.stringMatching(/"Mars\/Olympus" is not an IANA time zone/) });
    expect(previewRuns('at(2020-01-01T03:00:00)', 'UTC', now)).toMatchObject({ error: expect.stringMatching(/has already passed/) });
  });

  it('offers the zones the runtime knows, UTC first', () => {
    const zones = timeZones();
    expect(zones[0]).toBe('UTC');
    expect(zones).toContain('Europe/Paris');
    expect(new Set(zones).size).toBe(zones.length);
    expect(formatInZone('2026-07-01T01:00:00.000Z', 'Europe/Paris')).toBe('Wed, 1 Jul 2026, 03:00 CEST');
  });
});

describe('what a run’s outcome says', () => {
  const run = { id: 'r', scheduleId: 's', at: '2026-12-07T02:00:00.000Z' };
  it('names a started run’s dataset version', () => {
    expect(outcomeText({ ...run, outcome: 'STARTED', jobId: 'j', datasetVersion: 3 })).toEqual({ tone: 'started', text: 'Training started on v3' });
  });
  it('gives the reason of a skipped or failed run', () => {
    expect(outcomeText({ ...run, outcome: 'SKIPPED', datasetVersion: 3, reason: 'Dataset unchanged since v3.' })).toEqual({ tone: 'skipped', text: 'skipped: dataset unchanged since v3' });
    expect(outcomeText({ ...run, outcome: 'SKIPPED', datasetVersion: 3 })).toEqual({ tone: 'skipped', text: 'skipped: dataset unchanged since v3' });
    expect(outcomeText({ ...run, outcome: 'FAILED', reason: 'The dataset ds_1 was deleted.' })).toEqual({ tone: 'failed', text: 'failed: the dataset ds_1 was deleted' });
    expect(outcomeText({ ...run, outcome: 'FAILED', reason: 'INVALID dataset version 2' }).text).toBe('failed: INVALID dataset version 2');
  });
});

export const schedule = (id: string, extra: Partial<Schedule> = {}): Schedule => ({
  id, name: `schedule ${id}`, datasetId: 'ds_1', trainerId: 'fal-ai/flux-lora-fast-training', params: { steps: 10 }, expression: 'cron(0 3 ? * MON *)',
  timezone: 'Europe/Paris', onlyIfDatasetChanged: true, autoRegister: false, enabled: true, createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z', ...extra,
});

beforeEach(() => {
  vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {}, removeItem: () => {} });
});
afterEach(() => vi.unstubAllGlobals());
