// How often the local cloud's Scheduler ticks on the system clock: LORAWORKS_SCHEDULER_TICK_MS, checked.
import { describe, expect, it } from 'vitest';
import { schedulerTickMs } from '#local/scheduler-service';

describe('LORAWORKS_SCHEDULER_TICK_MS', () => {
  it('defaults to ten seconds and takes a whole number of milliseconds', () => {
    expect(schedulerTickMs(undefined)).toBe(10_000);
    expect(schedulerTickMs('')).toBe(10_000);
    expect(schedulerTickMs('250')).toBe(250);
  });

  it('refuses what would spin or never tick, saying what to set', () => {
    for (const bad of ['soon', '0', '-5', '2.5', '5']) {
      expect(() => schedulerTickMs(bad), bad).toThrow(/LORAWORKS_SCHEDULER_TICK_MS must be a whole number of milliseconds, at least 10 \(for example 1000\)/);
    }
  });
});
