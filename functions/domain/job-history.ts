// A job's history: status, progress and queue position over time, one point per change, bounded. Pure.
import { JOB_HISTORY_MAX, type Job, type JobHistoryPoint } from './schemas';

/** The point a job's current state makes. */
export function historyPoint(job: Pick<Job, 'status' | 'progress'>, at: string): JobHistoryPoint {
  const { fraction, step, queuePosition } = job.progress;
  return {
    at, status: job.status, fraction,
    ...(step === undefined ? {} : { step }),
    ...(queuePosition === undefined ? {} : { queuePosition }),
  };
}

/** Whether `point` says something the last point did not: another status, fraction or queue position. */
export const isNewPoint = (last: JobHistoryPoint | undefined, point: JobHistoryPoint): boolean =>
  !last || last.status !== point.status || last.fraction !== point.fraction || last.queuePosition !== point.queuePosition;

/**
 * At most `max` points: the first and the last kept, the middle thinned evenly (every point's index rounded
 * onto an even spread), so a long run keeps its shape from queue to finish.
 */
export function thinHistory(points: readonly JobHistoryPoint[], max = JOB_HISTORY_MAX): JobHistoryPoint[] {
  if (points.length <= max) return [...points];
  if (max <= 1) return points.slice(0, Math.max(0, max));
  const last = points.length - 1;
  return Array.from({ length: max }, (_, i) => points[Math.round((i * last) / (max - 1))]!);
}

/** The history with `point` appended when it changes something; the same array when it does not. */
export function appendHistory(history: readonly JobHistoryPoint[] | undefined, point: JobHistoryPoint, max = JOB_HISTORY_MAX): JobHistoryPoint[] | undefined {
  const points = history ?? [];
  if (!isNewPoint(points.at(-1), point)) return history as JobHistoryPoint[] | undefined;
  return thinHistory([...points, point], max);
}

/** The job with the point of its current state recorded (at its updatedAt) when that is new. */
export function withHistory<T extends Job>(job: T): T {
  const history = appendHistory(job.history, historyPoint(job, job.updatedAt));
  return history === job.history ? job : { ...job, history };
}

/** Waiting (created → started), training (started → finished) and total (created → finished or now), in seconds. */
export function jobDurations(job: Pick<Job, 'createdAt' | 'startedAt' | 'finishedAt'>, now: Date): { waitingSeconds: number; trainingSeconds?: number; totalSeconds: number } {
  const t = (iso: string | undefined) => (iso ? Date.parse(iso) : undefined);
  const created = t(job.createdAt)!;
  const started = t(job.startedAt);
  const end = t(job.finishedAt) ?? now.getTime();
  const s = (ms: number) => Math.max(0, Math.round(ms / 1000));
  return {
    waitingSeconds: s((started ?? end) - created),
    ...(started === undefined ? {} : { trainingSeconds: s(end - started) }),
    totalSeconds: s(end - created),
  };
}
