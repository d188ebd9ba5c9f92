import { describe, expect, it } from 'vitest';
import { appendHistory, thinHistory } from '#domain/job-history';
import { boundLogs, falLogLines, textLogLines, JOB_LOG_BYTES_MAX } from '#domain/job-logs';
import { failureAction } from '#domain/job-failures';
import { JOB_LOG_LINE_CHARS_MAX, JOB_LOG_LINES_MAX, type JobHistoryPoint } from '#domain/schemas';

const point = (i: number): JobHistoryPoint => ({ at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), status: 'RUNNING', fraction: i / 1000 });

describe('job history', () => {
  it('appends only what changed', () => {
    const one = appendHistory(undefined, point(1))!;
    expect(appendHistory(one, { ...point(1), at: point(2).at })).toBe(one);
    expect(appendHistory(one, point(2))).toHaveLength(2);
  });
  it('keeps the first and last point and thins the middle evenly to the bound', () => {
    const points = Array.from({ length: 500 }, (_, i) => point(i));
    const thinned = thinHistory(points, 120);
    expect(thinned).toHaveLength(120);
    expect(thinned[0]).toBe(points[0]);
    expect(thinned.at(-1)).toBe(points[499]);
    const gaps = thinned.slice(1).map((p, i) => p.fraction - thinned[i]!.fraction);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThan(0.0015);
  });
});

describe('job logs', () => {
  it('bounds nonsense: not an array, huge lines, too many lines, escapes', () => {
    expect(falLogLines('nope')).toEqual([]);
    expect(falLogLines([1, null, { message: 3 }, { message: 'ok', timestamp: '2026-01-01T00:00:00.5' }])).toEqual([{ message: 'ok', at: '2026-01-01T00:00:00.500Z' }]);
    const lines = Array.from({ length: 1000 }, (_, i) => ({ message: `\u001b[31mline ${i}\u001b[0m ${'x'.repeat(i === 999 ? 50_000 : 10)}` }));
    const logs = boundLogs(lines, '2026-01-01T00:00:00.000Z');
    expect(logs.lines).toHaveLength(JOB_LOG_LINES_MAX);
    expect(logs.truncated).toBe(true);
    expect(logs.lines.at(-1)!.message.length).toBeLessThanOrEqual(JOB_LOG_LINE_CHARS_MAX);
    expect(logs.lines[0]!.message).toMatch(/^line 800 x+$/);
    const wide = boundLogs(Array.from({ length: 200 }, () => ({ message: '😀'.repeat(1000) })), '2026-01-01T00:00:00.000Z');
    expect(new TextEncoder().encode(JSON.stringify(wide)).length).toBeLessThan(JOB_LOG_BYTES_MAX * 1.2);
  });
  it("reads Replicate's one string, a redrawn progress bar as its last drawing", () => {
    expect(textLogLines('start\n 10%|█ | 1/10\r 20%|██ | 2/10\ndone\n')).toEqual([{ message: 'start' }, { message: ' 20%|██ | 2/10' }, { message: 'done' }]);
    expect(textLogLines({ not: 'text' })).toEqual([]);
  });
});

describe('what to do about a failure', () => {
  it('says the action for the code, and to top up fal when out of credit', () => {
    expect(failureAction({ code: 'TRAINER_UNAVAILABLE', message: 'x' })).toMatch(/^Retry/);
    expect(failureAction({ code: 'TRAINER_REJECTED', message: 'The trainer refused the job: Exhausted balance.' })).toMatch(/Top up your fal balance/);
    expect(failureAction({ code: 'SOMETHING_NEW', message: 'x' })).toMatch(/contact support/);
  });
});
