// The web app's schedules panel without a browser: the readable picker's choices as the expressions Scheduler
// takes, how the list reads an expression and a run, the preview of the next runs in a zone, and what the
// schedule actions make of the API's answers and the live pushes.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CreateScheduleRequest, type Schedule, type Trainer } from '#domain/schemas';
import { ScheduleActions } from '#web/actions/schedules';
import { ApiClient } from '#web/api';
import { Store, initialState } from '#web/state';
import { describeExpression, expressionOf, formatInZone, outcomeText, previewRuns, scheduledBadge, timeZones } from '#web/schedule-rules';

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

describe('the jobs list’s origin badge', () => {
  it('names the schedule that started a job, and says only “scheduled” once it is deleted', () => {
    const schedules = [{ id: 's1', name: 'Weekly cats' }];
    expect(scheduledBadge({ origin: 'schedule', scheduleId: 's1' }, schedules)).toBe('scheduled · Weekly cats');
    expect(scheduledBadge({ origin: 'schedule', scheduleId: 'gone' }, schedules)).toBe('scheduled');
    expect(scheduledBadge({ origin: 'web' }, schedules)).toBeNull();
  });
});

const schedule = (id: string, extra: Partial<Schedule> = {}): Schedule => ({
  id, name: `schedule ${id}`, datasetId: 'ds_0123456789abcdef', trainerId: 'fal-ai/test', params: { steps: 10 }, expression: 'cron(0 3 ? * MON *)',
  timezone: 'Europe/Paris', onlyIfDatasetChanged: true, autoRegister: false, enabled: true, createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z', ...extra,
});
const trainer: Trainer = {
  id: 'fal-ai/test', provider: 'fal', name: 'Test trainer', kind: 'image', description: '', trigger: 'required',
  dataset: { minImages: 1, formats: ['png'], captions: 'optional' },
  params: [{ key: 'steps', label: 'Steps', type: 'integer', min: 1, max: 10000, default: 1000, help: '', group: 'core' }],
};
const draft = { name: 'Weekly retrain', expression: 'cron(0 3 ? * MON *)', timezone: 'Europe/Paris', onlyIfDatasetChanged: true, autoRegister: false };

describe('the schedule actions', () => {
  let answers: { status: number; body?: unknown }[];
  let requests: { method: string; url: string; body?: unknown }[];
  let store: Store;
  let actions: ScheduleActions;
  let jobRefreshes: number;

  beforeEach(() => {
    vi.stubGlobal('localStorage', { getItem: () => null, setItem: () => {}, removeItem: () => {} });
    answers = [];
    requests = [];
    jobRefreshes = 0;
    vi.stubGlobal('fetch', vi.fn(async (url: string, init: RequestInit) => {
      requests.push({ method: init.method ?? 'GET', url, body: init.body ? JSON.parse(String(init.body)) : undefined });
      const answer = answers.shift() ?? { status: 500 };
      return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
    }));
    store = new Store({
      ...initialState(), trainers: [trainer], trainerId: trainer.id, params: { steps: '40' }, triggerPhrase: ' lwx cat ',
      dataset: { id: 'ds_0123456789abcdef', name: 'cats', version: null },
    });
    actions = new ScheduleActions({ store, api: new ApiClient('https://api.test', 'jwt') }, async () => {
      jobRefreshes++;
    });
  });
  afterEach(() => vi.unstubAllGlobals());

  it('creates a schedule from the training form as it stands, and lists it', async () => {
    actions.openForm();
    answers.push({ status: 201, body: schedule('s1', { name: 'Weekly retrain', nextRunAt: '2026-12-07T02:00:00.000Z' }) });
    expect(await actions.create(draft)).toBe(true);
    expect(requests).toEqual([{
      method: 'POST', url: 'https://api.test/schedules',
      body: { name: 'Weekly retrain', datasetId: 'ds_0123456789abcdef', trainerId: 'fal-ai/test', triggerPhrase: 'lwx cat', params: { steps: 40 },
        expression: 'cron(0 3 ? * MON *)', timezone: 'Europe/Paris', onlyIfDatasetChanged: true, autoRegister: false },
    }]);
    expect(store.get().schedules.map((x) => x.id)).toEqual(['s1']);
    expect(store.get().scheduleForm.open).toBe(false);
  });

  it('shows the API’s 422 details beside the fields and keeps the dialog open', async () => {
    actions.openForm();
    answers.push({ status: 422, body: { error: { code: 'VALIDATION', message: 'Invalid request', details: [
      { field: 'expression', message: 'cron(0 3 * * MON *) is not a schedule…' }, { field: 'params.steps', message: 'Steps must be at most 4000.' }] } } });
    expect(await actions.create({ ...draft, expression: 'cron(0 3 * * MON *)' })).toBe(false);
    const form = store.get().scheduleForm;
    expect(form).toMatchObject({ open: true, creating: false, error: 'Some values need fixing — see the highlighted fields.' });
    expect(form.fieldErrors).toEqual({ expression: 'cron(0 3 * * MON *) is not a schedule…', 'params.steps': 'Steps must be at most 4000.' });
    expect(store.get().schedules).toEqual([]);
  });

  it('sends nothing without a dataset, or without a name', async () => {
    store.set({ dataset: null });
    expect(await actions.create(draft)).toBe(false);
    store.set({ dataset: { id: 'ds_0123456789abcdef', name: 'cats', version: null } });
    expect(await actions.create({ ...draft, name: '  ' })).toBe(false);
    expect(store.get().scheduleForm.fieldErrors.name).toMatch(/Give the schedule a name/);
    expect(requests).toEqual([]);
  });

  it('applies pushes: a newer copy replaces the row, an older one is ignored, a new schedule joins newest first', () => {
    store.set({ schedules: [schedule('s1', { updatedAt: '2026-12-02T00:00:00.000Z' })] });
    actions.onPush(schedule('s1', { updatedAt: '2026-12-01T12:00:00.000Z', enabled: false }));
    expect(store.get().schedules[0]!.enabled).toBe(true);
    const run = { id: 'r1', scheduleId: 's1', at: '2026-12-07T02:00:00.000Z', outcome: 'SKIPPED' as const, datasetVersion: 3, reason: 'dataset unchanged since v3' };
    actions.onPush(schedule('s1', { updatedAt: '2026-12-07T02:00:01.000Z', lastRun: run }));
    expect(store.get().schedules[0]!.lastRun).toEqual(run);
    actions.onPush(schedule('s2', { createdAt: '2026-12-03T00:00:00.000Z' }));
    expect(store.get().schedules.map((x) => x.id)).toEqual(['s2', 's1']);
  });

  it('pauses with PATCH {"enabled": false}, runs now, and deletes', async () => {
    store.set({ schedules: [schedule('s1')] });
    answers.push({ status: 200, body: schedule('s1', { enabled: false, updatedAt: '2026-12-02T00:00:00.000Z' }) });
    await actions.setEnabled(store.get().schedules[0]!, false);
    expect(requests.at(-1)).toEqual({ method: 'PATCH', url: 'https://api.test/schedules/s1', body: { enabled: false } });
    expect(store.get().schedules[0]!.enabled).toBe(false);

    const run = { id: 'r2', scheduleId: 's1', at: '2026-12-02T05:00:00.000Z', outcome: 'STARTED', datasetVersion: 1, jobId: 'job_1' };
    answers.push({ status: 202, body: run });
    await actions.runNow(store.get().schedules[0]!);
    expect(requests.at(-1)).toMatchObject({ method: 'POST', url: 'https://api.test/schedules/s1/run' });
    expect(store.get().schedules[0]!.lastRun).toEqual(run);
    expect(jobRefreshes, 'the job it started is fetched when no push has brought it yet').toBe(1);

    answers.push({ status: 204 });
    await actions.remove(store.get().schedules[0]!);
    expect(requests.at(-1)).toMatchObject({ method: 'DELETE', url: 'https://api.test/schedules/s1' });
    expect(store.get().schedules).toEqual([]);
    expect(store.get().scheduleBusy).toEqual([]);
  });

  it('says why an action failed, and drops a schedule already deleted elsewhere', async () => {
    store.set({ schedules: [schedule('s1'), schedule('s2')] });
    answers.push({ status: 409, body: { error: { code: 'CONFLICT', message: 'The Scheduler is busy.' } } });
    await actions.setEnabled(store.get().schedules[0]!, false);
    expect(store.get().schedulesError).toBe('“schedule s1” was not paused: The Scheduler is busy.');
    answers.push({ status: 404, body: { error: { code: 'NOT_FOUND', message: 'No schedule s2.' } } });
    await actions.runNow(store.get().schedules[1]!);
    expect(store.get().schedules.map((x) => x.id)).toEqual(['s1']);
  });

  it('opens a runs history and follows a pushed new run', async () => {
    store.set({ schedules: [schedule('s1')] });
    const first = { id: 'r1', scheduleId: 's1', at: '2026-12-07T02:00:00.000Z', outcome: 'STARTED', jobId: 'job_1', datasetVersion: 1 };
    answers.push({ status: 200, body: { runs: [first] } });
    actions.toggleRuns('s1');
    await vi.waitFor(() => expect(store.get().scheduleRuns.s1?.phase).toBe('ready'));
    expect(requests.at(-1)).toMatchObject({ method: 'GET', url: 'https://api.test/schedules/s1/runs?limit=10' });
    const second = { id: 'r2', scheduleId: 's1', at: '2026-12-14T02:00:00.000Z', outcome: 'SKIPPED', datasetVersion: 1, reason: 'dataset unchanged since v1' };
    answers.push({ status: 200, body: { runs: [second, first] } });
    actions.onPush(schedule('s1', { updatedAt: '2026-12-14T02:00:01.000Z', lastRun: second as Schedule['lastRun'] }));
    await vi.waitFor(() => expect(store.get().scheduleRuns.s1?.runs.map((r) => r.id)).toEqual(['r2', 'r1']));
    actions.toggleRuns('s1');
    expect(store.get().scheduleRuns.s1).toBeUndefined();
  });

  it('shows a run’s job: fetched into the jobs list first when it is not there', async () => {
    await actions.showJob('job_9');
    expect(jobRefreshes).toBe(1);
    expect(store.get().focusedJobId).toBe('job_9');
  });
});
