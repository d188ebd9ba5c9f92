import { describe, expect, it } from 'vitest';
import { mergeProgress, parseLogs, parseStepLine } from '#domain/progress';

describe('reading training progress from log lines', () => {
  it.each([
    ['step 120/1000', 120, 1000],
    ['Step: 120 / 1000 loss=0.12', 120, 1000],
    ['global step 250 of 500', 250, 500],
    ['flux_train:  12%|█▏        | 120/1000 [00:33<04:02,  3.62it/s, lr: 4.0e-04 loss: 1.2e-01]', 120, 1000],
    ['Steps:  50%|█████     | 500/1000 [01:00<01:00', 500, 1000],
    ['  120/1000 [00:33<04:02, 3.62it/s]', 120, 1000],
  ])('reads %j', (line, step, totalSteps) => {
    expect(parseStepLine(line)).toMatchObject({ step, totalSteps, fraction: step / totalSteps });
  });

  it('reads a percentage bar without a counter, and tqdm\'s remaining time', () => {
    expect(parseStepLine('Steps: 12%|█▏ ')).toEqual({ fraction: 0.12 });
    expect(parseStepLine('Steps:  50%|█████| 500/1000 [01:00<01:02:03, 8it/s]')?.etaSeconds).toBe(3723);
  });

  it('ignores lines that are not progress', () => {
    for (const line of ['Downloading dataset', 'saved to /tmp/1/2', 'step 1200/1000', 'loaded 3/0 [x', '2024/12/20 [info]']) {
      expect(parseStepLine(line), line).toBeUndefined();
    }
  });

  it('takes the latest line and estimates the time left from the step rate', () => {
    const reading = parseLogs([
      { message: 'Preparing', timestamp: '2024-12-20T15:37:00.000000' },
      { message: 'step 100/1000', timestamp: '2024-12-20T15:37:10.000000' },
      { message: 'step 200/1000', timestamp: '2024-12-20T15:37:20.000000' },
    ]);
    expect(reading).toEqual({ step: 200, totalSteps: 1000, fraction: 0.2, etaSeconds: 80 });
  });
});

describe('merging progress', () => {
  it('never moves backwards when a late poll arrives', () => {
    const ahead = { fraction: 0.5, step: 500, totalSteps: 1000, etaSeconds: 30 };
    expect(mergeProgress(ahead, { fraction: 0.4, step: 400, totalSteps: 1000, etaSeconds: 40 })).toEqual({ ...ahead });
    expect(mergeProgress(ahead, { fraction: 0, queuePosition: 3 })).toEqual({ ...ahead });
  });

  it('moves forwards and drops the queue position once training starts', () => {
    const queued = { fraction: 0, queuePosition: 1, message: 'queued' };
    expect(mergeProgress(queued, { fraction: 0, queuePosition: 4 })).toMatchObject({ queuePosition: 1 });
    expect(mergeProgress(queued, { fraction: 0.1, step: 10, totalSteps: 100, message: 'training' })).toEqual({
      fraction: 0.1, step: 10, totalSteps: 100, message: 'training',
    });
  });

  it('keeps the step when a poll has no logs', () => {
    expect(mergeProgress({ fraction: 0.3, step: 30, totalSteps: 100 }, { fraction: 0 })).toEqual({ fraction: 0.3, step: 30, totalSteps: 100 });
  });

  it('starts from the next progress when there is none before', () => {
    expect(mergeProgress(undefined, { fraction: 0.2 })).toEqual({ fraction: 0.2 });
  });
});
