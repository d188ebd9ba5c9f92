// The state the Training state machine passes from task to task (docs/internals.md).
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
  // Whatever a Catch or a Pass state put there; only a well-formed {Error, Cause} is kept.
  error: z.unknown().optional().transform((value) => TaskError.safeParse(value).data),
});
export type TrainingState = z.infer<typeof TrainingState>;

/**
 * How long to wait before the next poll: short while queued (the start matters) and near the end (so the
 * LoRA is collected promptly), longer mid-run where nothing the user waits for happens.
 */
export function nextWaitSeconds(started: boolean, progress: Progress, bounds: { min: number; max: number }): number {
  const { min, max } = bounds;
  if (!started || progress.fraction >= 0.9) return min;
  const guess = progress.etaSeconds !== undefined ? progress.etaSeconds / 8 : max / 2;
  return Math.round(Math.min(max, Math.max(min, guess)));
}
