import { describe, expect, it } from 'vitest';
import { nextWaitSeconds, pastDeadline } from '#domain/training-state';

const bounds = { min: 5, max: 120 };

describe('the adaptive poll interval', () => {
  it('polls often while the job waits in the trainer queue', () => {
    expect(nextWaitSeconds(false, { fraction: 0, queuePosition: 7 }, bounds)).toBe(5);
  });

  it('waits longest mid-run, when the ETA is far away', () => {
    expect(nextWaitSeconds(true, { fraction: 0.2, etaSeconds: 5000 }, bounds)).toBe(120);
    expect(nextWaitSeconds(true, { fraction: 0.5, etaSeconds: 200 }, bounds)).toBe(100);
  });

  it('aims the poll at the expected end once the ETA is within one long wait', () => {
    expect(nextWaitSeconds(true, { fraction: 0.97, etaSeconds: 42.3 }, bounds)).toBe(43);
    expect(nextWaitSeconds(true, { fraction: 0.999, etaSeconds: 1 }, bounds)).toBe(5);
  });

  it('takes a middle wait before the trainer has shown a rate, and the shortest near the end', () => {
    expect(nextWaitSeconds(true, { fraction: 0.1 }, bounds)).toBe(60);
    expect(nextWaitSeconds(true, { fraction: 0.95 }, bounds)).toBe(5);
  });

  it('never leaves the configured bounds', () => {
    for (const eta of [0, 0.2, 3, 7, 50, 119, 121, 1e6]) {
      const wait = nextWaitSeconds(true, { fraction: 0.5, etaSeconds: eta }, bounds);
      expect(wait).toBeGreaterThanOrEqual(5);
      expect(wait).toBeLessThanOrEqual(120);
    }
  });
});

describe('the training deadline', () => {
  it('passes once the job is older than the longest training allowed', () => {
    const created = '2025-01-01T00:00:00.000Z';
    expect(pastDeadline(created, new Date('2025-01-01T11:59:59Z'), 12 * 3600)).toBe(false);
    expect(pastDeadline(created, new Date('2025-01-01T12:00:01Z'), 12 * 3600)).toBe(true);
  });
});
