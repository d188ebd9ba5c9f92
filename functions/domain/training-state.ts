// The state the Training state machine passes from task to task (docs/internals.md), and the pure rules the
// Poll task follows: how long to wait before the next look, and when a training has run out of time.
import { z } from 'zod';
import type { Progress } from './schemas';

export const TrainingPhase = z.enum(['queued', 'running', 'completed', 'cancel', 'cancelling', 'failed', 'done']);
export type TrainingPhase = z.infer<typeof TrainingPhase>;

export const TaskError = z.object({ Error: z.string().optional(), Cause: z.string().optional() });

export const TrainingState = z.object({
  jobId: z.string().min(1),
  owner: z.string().min(1),
  phase: TrainingPhase.default('queued'),
  polls: z.number().int().nonnegative().default(0),
  waitSeconds: z.number().nonnegative().default(0),
  /** Status checks CancelRemote made since it asked the trainer to cancel (it asks again every few). */
  cancelChecks: z.number().int().nonnegative().optional(),
  // Whatever a Catch or a Pass state put there; only a well-formed {Error, Cause} is kept.
  error: z.unknown().optional().transform((value) => TaskError.safeParse(value).data),
});
export type TrainingState = z.infer<typeof TrainingState>;

export interface PollBounds {
  /** Shortest wait, seconds (POLL_MIN_SECONDS). */
  min: number;
  /** Longest wait, seconds (POLL_MAX_SECONDS). */
  max: number;
}

const clamp = (value: number, { min, max }: PollBounds) => Math.round(Math.min(max, Math.max(min, value)));

/**
 * How long to wait before the next poll, from what the trainer said:
 * - queued: the shortest wait (the start is what the user watches for);
 * - running with an ETA: half the remaining time, at most `max` (mid-run, nothing the user waits for
 *   happens), so the waits shrink geometrically towards the expected end; once the ETA is within `max`,
 *   wait just that long, so the poll lands when the LoRA should be ready;
 * - running without an ETA yet (the first log lines give no rate): a middle wait, or the shortest near the end.
 */
export function nextWaitSeconds(started: boolean, progress: Progress, bounds: PollBounds): number {
  if (!started) return bounds.min;
  const eta = progress.etaSeconds;
  if (eta === undefined || !Number.isFinite(eta)) return progress.fraction >= 0.9 ? bounds.min : clamp(bounds.max / 2, bounds);
  if (eta <= bounds.max) return clamp(Math.ceil(eta), bounds);
  return clamp(eta / 2, bounds);
}

/** The training's time is up: the job is older than the longest a training may take (MAX_DURATION_SECONDS). */
export function pastDeadline(createdAt: string, now: Date, maxDurationSeconds: number): boolean {
  const created = Date.parse(createdAt);
  return Number.isFinite(created) && now.getTime() - created > maxDurationSeconds * 1000;
}

/** The error Poll hands MarkFailed when the deadline passed (MarkFailed cancels the remote job). */
export const timedOut = (maxDurationSeconds: number) => ({
  Error: 'TrainingTimedOut',
  Cause: `The training did not finish within ${describeSeconds(maxDurationSeconds)}.`,
});

/** The error Poll hands MarkFailed when the poll budget is spent. */
export const overBudget = (maxPolls: number) => ({
  Error: 'PollBudgetExceeded',
  Cause: `The trainer did not finish within ${maxPolls} status checks.`,
});

export function describeSeconds(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}
