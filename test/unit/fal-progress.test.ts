import { describe, expect, it } from 'vitest';
import { progressFromFalStatus } from '#providers/fal-progress';

describe('progress of a fal status', () => {
  it('shows the queue position while queued', () => {
    expect(progressFromFalStatus({ status: 'IN_QUEUE', queue_position: 2 })).toEqual({
      fraction: 0, queuePosition: 2, message: 'Waiting in the trainer queue (position 3).',
    });
  });

  it('shows step and total while training', () => {
    expect(progressFromFalStatus({ status: 'IN_PROGRESS', logs: [{ message: 'step 30/120' }] })).toEqual({
      fraction: 0.25, step: 30, totalSteps: 120, message: 'Training: step 30 of 120.',
    });
    expect(progressFromFalStatus({ status: 'IN_PROGRESS', logs: null })).toEqual({ fraction: 0, message: 'Training started.' });
  });
});
