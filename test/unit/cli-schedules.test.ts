// `loraworks schedules create`'s options as the POST /schedules body they become, checked before sending with the
// API's own rules; and how a run reads in the list.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CreateScheduleRequest, type Trainer } from '#domain/schemas';
import { EXIT } from '#cli/errors';
import { createProgram } from '#cli/program';
import { createScheduleBody, expressionOf, runSummary, updateScheduleBody, type CreateScheduleOptions, type UpdateScheduleOptions } from '#cli/commands/schedules';

const trainer: Trainer = {
  id: 'fal-ai/test', provider: 'fal', name: 'Test trainer', kind: 'image', description: '', trigger: 'required',
  dataset: { minImages: 1, formats: ['png'], captions: 'optional' },
  params: [
    { key: 'steps', label: 'Steps', type: 'integer', default: 1000, min: 1, max: 10000, help: '', group: 'core' },
    { key: 'isStyle', label: 'Style', type: 'boolean', default: false, help: '', group: 'model' },
  ],
};

/** The options commander gives `schedules NAME ARGS` (its action replaced, so nothing is sent). */
function optionsOf<T extends object>(name: string, args: string[]): T {
  const schedules = createProgram().commands.find((c) => c.name() === 'schedules')!;
  const sub = schedules.commands.find((c) => c.name() === name)! as Command;
  sub.exitOverride().action(() => {});
  sub.parse(args, { from: 'user' });
  return sub.opts<T>();
}
const createOptions = (args: string[]) => optionsOf<CreateScheduleOptions>('create', args);
const updateOptions = (args: string[]) => optionsOf<UpdateScheduleOptions>('update', ['sch_1', ...args]);

const base = ['--name', 'weekly cat', '--dataset', 'ds_1', '--trainer', 'fal-ai/test', '--trigger', 'ohwx cat'];

function usage(run: () => unknown): { exitCode: number; message: string; details: { field: string; message: string }[] } {
  try {
    run();
  } catch (error) {
    return error as never;
  }
  throw new Error('expected a usage error');
}

describe('schedules create', () => {
  it('sends a cron schedule with the API\'s defaults: only when the dataset changed, not registered, enabled, UTC', () => {
    const body = createScheduleBody(trainer, createOptions([...base, '--cron', '0 3 ? * MON *', '--param', 'steps=500', '--param', 'isStyle=yes']));
    expect(body).toEqual({
      name: 'weekly cat', datasetId: 'ds_1', trainerId: 'fal-ai/test', triggerPhrase: 'ohwx cat', params: { steps: 500, isStyle: true },
      expression: 'cron(0 3 ? * MON *)', timezone: 'UTC', onlyIfDatasetChanged: true, autoRegister: false, enabled: true,
    });
    expect(CreateScheduleRequest.parse({ ...body, timezone: undefined })).toEqual(body);
  });

  it('turns --always, --auto-register, --paused and --timezone into the fields they name', () => {
    const body = createScheduleBody(trainer, createOptions([...base, '--rate', '7 days', '--timezone', 'Europe/Paris', '--always', '--auto-register', '--paused']));
    expect(body).toMatchObject({ expression: 'rate(7 days)', timezone: 'Europe/Paris', onlyIfDatasetChanged: false, autoRegister: true, enabled: false });
  });

  it('wraps --at and --rate, and takes --expression or an already wrapped value as it is', () => {
    expect(expressionOf({ at: '2027-01-01T03:00:00' })).toBe('at(2027-01-01T03:00:00)');
    expect(expressionOf({ rate: ' 1 day ' })).toBe('rate(1 day)');
    expect(expressionOf({ cron: 'cron(0 3 * * ? *)' })).toBe('cron(0 3 * * ? *)');
    expect(expressionOf({ expression: 'rate(12 hours)' })).toBe('rate(12 hours)');
  });

  it('asks for exactly one of --cron, --rate, --at and --expression', () => {
    expect(usage(() => expressionOf({}))).toMatchObject({ exitCode: EXIT.usage, message: expect.stringContaining('When should it run?') });
    expect(usage(() => expressionOf({ cron: '0 3 * * ? *', rate: '1 day' }))).toMatchObject({ exitCode: EXIT.usage, message: 'Give one of --cron, --rate, --at and --expression; got --cron and --rate.' });
  });

  it('refuses a bad expression, zone, trigger phrase or parameter with the API\'s messages, by field', () => {
    const api = CreateScheduleRequest.safeParse({ name: 'n', datasetId: 'ds_1', trainerId: 'fal-ai/test', expression: 'cron(0 3 * * MON)', timezone: 'Mars/Olympus' });
    const apiMessages = api.error!.issues.map((i) => ({ field: i.path.join('.'), message: i.message }));
    const refused = usage(() => createScheduleBody(trainer, createOptions(['--name', 'n', '--dataset', 'ds_1', '--trainer', 'fal-ai/test', '--cron', '0 3 * * MON', '--timezone', 'Mars/Olympus', '--param', 'steps=0'])));
    expect(refused.exitCode).toBe(EXIT.usage);
    expect(refused.details).toEqual(expect.arrayContaining([
      ...apiMessages,
      { field: 'triggerPhrase', message: 'Set a trigger phrase, the word that will call up your LoRA in prompts.' },
      { field: 'params.steps', message: 'Steps must be at least 1; got 0.' },
    ]));
    expect(refused.details.map((d) => d.field)).toEqual(expect.arrayContaining(['expression', 'timezone']));
  });
});

describe('schedules update', () => {
  it('sends only what was given, --param replacing the parameters', () => {
    expect(updateScheduleBody(updateOptions(['--rate', '1 day', '--timezone', 'Asia/Tokyo']))).toEqual({ expression: 'rate(1 day)', timezone: 'Asia/Tokyo' });
    const current = { trainer, triggerPhrase: 'ohwx cat', params: { steps: 500 } };
    expect(updateScheduleBody(updateOptions(['--param', 'steps=800', '--no-auto-register']), current)).toEqual({ params: { steps: 800 }, autoRegister: false });
    expect(updateScheduleBody(updateOptions(['--trigger', 'ohwx dog']), current)).toEqual({ triggerPhrase: 'ohwx dog' });
    expect(updateScheduleBody({ ...updateOptions([]), always: true })).toEqual({ onlyIfDatasetChanged: false });
  });

  it('refuses an empty change, and a bad zone or parameter by field', () => {
    expect(usage(() => updateScheduleBody(updateOptions([])))).toMatchObject({ exitCode: EXIT.usage, message: expect.stringContaining('Nothing to change') });
    const current = { trainer, triggerPhrase: 'ohwx cat', params: { steps: 500 } };
    const refused = usage(() => updateScheduleBody(updateOptions(['--timezone', 'Nowhere/City', '--param', 'steps=0']), current));
    expect(refused.details.map((d) => d.field)).toEqual(['timezone', 'params.steps']);
    expect(usage(() => updateScheduleBody(updateOptions(['--trigger', '']), current)).details).toEqual([
      { field: 'triggerPhrase', message: 'Set a trigger phrase, the word that will call up your LoRA in prompts.' },
    ]);
  });
});

describe('a run in the list', () => {
  it('names the job it started, or why it skipped or failed', () => {
    const at = '2027-01-04T03:00:00.000Z';
    expect(runSummary(undefined)).toBe('never run');
    expect(runSummary({ id: 'r', scheduleId: 's', at, outcome: 'STARTED', jobId: 'job_1', datasetVersion: 3 })).toBe('started job_1 (dataset v3)');
    expect(runSummary({ id: 'r', scheduleId: 's', at, outcome: 'SKIPPED', datasetVersion: 3, reason: 'dataset unchanged since v3' })).toBe('skipped: dataset unchanged since v3');
    expect(runSummary({ id: 'r', scheduleId: 's', at, outcome: 'FAILED', reason: 'The dataset ds_1 is gone.' })).toBe('failed: The dataset ds_1 is gone.');
  });
});
