// What a job's details show, without a browser: its parameters beside the trainer's defaults, its times, where it
// came from, the newer version "Train again" offers, the chart's lines, and the form values "Train again" fills.
import { describe, expect, it } from 'vitest';
import type { DatasetVersion, Job, Trainer } from '#domain/schemas';
import { chartGeometry, newerReadyVersion, originText, paramRows, timeRows } from '#web/job-details-rules';
import { valuesFromJob } from '#web/params';

const trainer = {
  id: 'fal-ai/flux-lora-fast-training', provider: 'fal', name: 'FLUX LoRA (fast)', kind: 'image', description: '', trigger: 'optional',
  dataset: {} as Trainer['dataset'],
  params: [
    { key: 'steps', label: 'Steps', type: 'integer', default: 1000, min: 1, max: 10000, help: '', group: 'core' },
    { key: 'learning_rate', label: 'Learning rate', type: 'number', default: 0.0004, help: '', group: 'core' },
    { key: 'create_masks', label: 'Create masks', type: 'boolean', default: true, help: '', group: 'model' },
    { key: 'data_archive_format', label: 'Archive format', type: 'string', help: '', group: 'model' },
  ],
} as Trainer;

const job = (patch: Partial<Job> = {}): Job => ({
  id: '01JOB', status: 'COMPLETED', trainerId: trainer.id, datasetId: 'ds1', datasetVersion: 2, triggerPhrase: 'ohwx',
  params: { steps: 400, create_masks: false }, origin: 'web', progress: { fraction: 1 },
  createdAt: '2026-12-02T10:00:00.000Z', updatedAt: '2026-12-02T10:09:00.000Z',
  startedAt: '2026-12-02T10:00:30.000Z', finishedAt: '2026-12-02T10:08:30.000Z',
  ...patch,
});

describe('the parameters a job ran with', () => {
  it('lists what the job set first, then the defaults it left, marked as defaults', () => {
    expect(paramRows(trainer, job().params)).toEqual([
      { key: 'steps', label: 'Steps', value: '400', isDefault: false },
      { key: 'create_masks', label: 'Create masks', value: 'off', isDefault: false },
      { key: 'learning_rate', label: 'Learning rate', value: '0.0004', isDefault: true },
    ]);
  });

  it('keeps a key the trainer no longer describes under its own name, and works without the trainer', () => {
    expect(paramRows(trainer, { steps: 10, old_knob: 'x' }).map((r) => [r.label, r.value])).toContainEqual(['old_knob', 'x']);
    expect(paramRows(undefined, { steps: 10 })).toEqual([{ key: 'steps', label: 'steps', value: '10', isDefault: false }]);
  });
});

describe('a job’s times', () => {
  it('says how long it waited in the queue and how long it ran', () => {
    expect(timeRows(job(), '2026-12-02T11:00:00.000Z').map((r) => [r.label, r.took])).toEqual([
      ['Queued', undefined], ['Started', 'waited 30 s'], ['Finished', 'ran 8 min'],
    ]);
  });

  it('counts a running job to now, and names how a job ended', () => {
    const running = job({ status: 'RUNNING', finishedAt: undefined });
    expect(timeRows(running, '2026-12-02T10:03:30.000Z').at(-1)).toEqual({ label: 'Running for', at: '2026-12-02T10:03:30.000Z', took: '3 min' });
    expect(timeRows(job({ status: 'CANCELLED', startedAt: undefined }), '').map((r) => [r.label, r.took]))
      .toEqual([['Queued', undefined], ['Cancelled', 'waited 9 min']]);
    expect(timeRows(job({ status: 'FAILED' }), '').at(-1)!.label).toBe('Failed');
  });
});

describe('where a job came from', () => {
  it('names the schedule that started it, and says the other origins in words', () => {
    expect(originText(job({ origin: 'schedule', scheduleId: 's1' }), [{ id: 's1', name: 'nightly' }])).toBe('Started by the schedule “nightly”');
    expect(originText(job({ origin: 'schedule', scheduleId: 'gone' }), [])).toBe('Started by a schedule');
    expect(originText(job({ origin: 'api' }), [])).toMatch(/API/);
    expect(originText(job({ origin: 's3' }), [])).toMatch(/\.train\.json/);
  });
});

describe('"Train again on the latest"', () => {
  const version = (n: number, status: DatasetVersion['status']) => ({ version: n, status }) as DatasetVersion;
  it('offers the newest READY version after the job’s, and none when the job’s is the newest', () => {
    expect(newerReadyVersion([version(4, 'VALIDATING'), version(3, 'READY'), version(2, 'READY'), version(1, 'READY')], job())).toBe(3);
    expect(newerReadyVersion([version(3, 'INVALID'), version(2, 'READY')], job())).toBeNull();
  });

  it('fills the form with the job’s values over the trainer’s defaults, and names what the trainer no longer takes', () => {
    expect(valuesFromJob(trainer, { steps: 400, create_masks: false, gone: 1 })).toEqual({
      values: { steps: '400', learning_rate: '0.0004', create_masks: false, data_archive_format: '' },
      dropped: ['gone'],
    });
  });
});

describe('the progress chart', () => {
  it('draws progress up and time along, with the queue position as a second line', () => {
    const chart = chartGeometry([
      { at: '2026-12-02T10:00:00.000Z', status: 'QUEUED', fraction: 0, queuePosition: 2 },
      { at: '2026-12-02T10:00:30.000Z', status: 'RUNNING', fraction: 0, queuePosition: 0 },
      { at: '2026-12-02T10:01:00.000Z', status: 'RUNNING', fraction: 0.5 },
      { at: '2026-12-02T10:01:30.000Z', status: 'COMPLETED', fraction: 1 },
    ], 300, 100)!;
    expect(chart.progress).toBe('0,100 100,100 200,50 300,0');
    expect(chart.queue).toBe('0,0 100,100');
    expect(chart).toMatchObject({ maxQueue: 2, span: '2 min' });
  });

  it('draws nothing without history, and a flat line for one point', () => {
    expect(chartGeometry([], 300, 100)).toBeNull();
    expect(chartGeometry([{ at: '2026-12-02T10:00:00.000Z', status: 'RUNNING', fraction: 0.25 }], 300, 100))
      .toMatchObject({ progress: '0,75 300,75', queue: '' });
  });
});
