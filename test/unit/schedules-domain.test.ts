import { describe, expect, it } from 'vitest';
import { adapterName, applyUpdate, decideRun, newSchedule, publicSchedule, runId, type ScheduleRecord } from '#domain/schedules';
import { CreateScheduleRequest, type Dataset, type DatasetVersion } from '#domain/schemas';

const created = new Date('2026-06-01T10:00:00.000Z');
const schedule = (patch: Partial<ScheduleRecord> = {}): ScheduleRecord => ({
  ...newSchedule('01SCHED', 'alice', CreateScheduleRequest.parse({
    name: 'weekly', datasetId: 'ds1', trainerId: 'fal-ai/flux-lora-fast-training', expression: 'cron(0 3 ? * MON *)', timezone: 'Europe/Paris',
  }), created),
  ...patch,
});
const dataset: Dataset = { id: 'ds1', name: 'Faces', createdAt: created.toISOString() };
const version = (n: number, status: DatasetVersion['status'], errors: string[] = []): DatasetVersion => ({
  version: n, status, sizeBytes: 10, source: 'web', createdAt: created.toISOString(),
  report: { images: 6, videos: 0, captions: 0, pairs: 0, errors: errors.map((message) => ({ code: 'X', message })), warnings: [] },
});

describe('what a firing of a schedule does', () => {
  it('fails, saying so, when the dataset is gone', () => {
    expect(decideRun(schedule(), null, [])).toEqual({ outcome: 'FAILED', reason: expect.stringMatching(/^dataset ds1 no longer exists/) });
  });

  it('fails on a broken newest upload, naming the version and why, rather than retraining an older one', () => {
    const decision = decideRun(schedule({ lastTrainedVersion: 1 }), dataset, [version(1, 'READY'), version(2, 'INVALID', ['the zip has no images'])]);
    expect(decision).toEqual({ outcome: 'FAILED', datasetVersion: 2, reason: 'the latest version v2 of dataset Faces is INVALID: the zip has no images.' });
  });

  it('fails when no version is READY yet', () => {
    expect(decideRun(schedule(), dataset, [version(1, 'VALIDATING')])).toMatchObject({ outcome: 'FAILED', reason: expect.stringContaining('v1 of dataset Faces is VALIDATING: it is still being validated') });
    expect(decideRun(schedule(), dataset, [])).toMatchObject({ outcome: 'FAILED', reason: expect.stringContaining('has no version yet') });
  });

  it('skips an unchanged dataset when onlyIfDatasetChanged, and trains it anyway when not', () => {
    const versions = [version(3, 'READY'), version(2, 'READY')];
    expect(decideRun(schedule({ lastTrainedVersion: 3 }), dataset, versions)).toEqual({ outcome: 'SKIPPED', datasetVersion: 3, reason: 'dataset unchanged since v3' });
    expect(decideRun(schedule({ lastTrainedVersion: 3, onlyIfDatasetChanged: false }), dataset, versions)).toEqual({ outcome: 'START', datasetVersion: 3 });
  });

  it('trains an unchanged dataset again when the training of it failed or was cancelled', () => {
    const versions = [version(3, 'READY')];
    expect(decideRun(schedule({ lastTrainedVersion: 3 }), dataset, versions, 'FAILED')).toEqual({ outcome: 'START', datasetVersion: 3 });
    expect(decideRun(schedule({ lastTrainedVersion: 3 }), dataset, versions, 'CANCELLED')).toEqual({ outcome: 'START', datasetVersion: 3 });
    expect(decideRun(schedule({ lastTrainedVersion: 3 }), dataset, versions, 'RUNNING')).toMatchObject({ outcome: 'SKIPPED' });
  });

  it('trains the latest READY version, also while a newer upload is still validating', () => {
    expect(decideRun(schedule({ lastTrainedVersion: 1 }), dataset, [version(1, 'READY'), version(2, 'READY')])).toEqual({ outcome: 'START', datasetVersion: 2 });
    expect(decideRun(schedule(), dataset, [version(2, 'READY'), version(3, 'VALIDATING')])).toEqual({ outcome: 'START', datasetVersion: 2 });
  });
});

describe('a run id', () => {
  it('is the same for the same firing delivered twice, and differs between schedules and times', () => {
    const at = new Date('2026-06-08T01:00:00Z');
    expect(runId('S1', at)).toBe(runId('S1', new Date('2026-06-08T01:00:00.000Z')));
    expect(runId('S1', at)).not.toBe(runId('S2', at));
    expect(runId('S1', at)).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('sorts by the scheduled time, so runs list newest first', () => {
    const ids = ['2026-06-15', '2026-06-01', '2026-06-08'].map((day) => runId('S1', new Date(`${day}T01:00:00Z`)));
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[0]]);
  });
});

describe('a schedule as the API shows it', () => {
  it('gives the next run in the schedule’s time zone, none while paused, and hides the owner', () => {
    const shown = publicSchedule(schedule({ lastTrainedVersion: 2 }), created);
    // Monday 2026-06-01 03:00 in Paris has passed at 10:00Z; the next is a week later, 01:00Z in summer time.
    expect(shown.nextRunAt).toBe('2026-06-08T01:00:00.000Z');
    expect(shown).not.toHaveProperty('owner');
    expect(shown).not.toHaveProperty('lastTrainedVersion');
    expect(publicSchedule(schedule({ enabled: false }), created).nextRunAt).toBeUndefined();
  });

  it('counts a rate() from the schedule’s creation and shows no next run once an at() has passed', () => {
    expect(publicSchedule(schedule({ expression: 'rate(7 days)' }), new Date('2026-06-09T00:00:00Z')).nextRunAt).toBe('2026-06-15T10:00:00.000Z');
    expect(publicSchedule(schedule({ expression: 'at(2026-07-01T03:00:00)' }), new Date('2026-07-02T00:00:00Z')).nextRunAt).toBeUndefined();
  });
});

describe('changing a schedule', () => {
  it('checks a new time zone together with the stored expression, and refuses an at() that has passed', () => {
    expect(() => applyUpdate(schedule(), { timezone: 'Mars/Olympus' }, created)).toThrow(/not an IANA time zone/);
    expect(() => applyUpdate(schedule({ expression: 'at(2026-06-01T13:00:00)', timezone: 'UTC' }), { timezone: 'Asia/Tokyo' }, created))
      .toThrow(/has already passed/);
    expect(applyUpdate(schedule(), { timezone: 'UTC' }, created)).toMatchObject({ expression: 'cron(0 3 ? * MON *)', timezone: 'UTC' });
  });

  it('forgets the trained version when pointed at another dataset, keeps it on a pause', () => {
    expect(applyUpdate(schedule({ lastTrainedVersion: 4 }), { datasetId: 'ds2' }, created).lastTrainedVersion).toBeUndefined();
    expect(applyUpdate(schedule({ lastTrainedVersion: 4 }), { enabled: false }, created).lastTrainedVersion).toBe(4);
  });

  it('names an auto-registered LoRA after the schedule, the dataset and the version', () => {
    expect(adapterName('weekly', 'Faces', 3)).toBe('weekly · Faces v3');
    expect(adapterName('w'.repeat(80), 'd'.repeat(60), 3)).toHaveLength(120);
  });
});
