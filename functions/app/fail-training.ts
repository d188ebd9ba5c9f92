// MarkFailed: ends the job FAILED with a message a person can act on, and stops any remote work still going.
import { failureFrom } from '#domain/job-failures';
import { isTerminal } from '#domain/job-lifecycle';
import type { TrainingState } from '#domain/training-state';
import { logger } from '#adapters/logger';
import { failJob } from './fail-job';
import { JobMissing, loadTrainingJob } from './load-training-job';

export async function failTraining(state: TrainingState): Promise<TrainingState> {
  const job = await loadTrainingJob(state).catch((error: unknown) => {
    if (error instanceof JobMissing) return null; // nothing left to mark
    throw error;
  });
  if (!job || isTerminal(job.status)) return { ...state, phase: 'done' };
  const failure = failureFrom(state.error);
  logger.warn('Training failed', { code: failure.code, error: state.error?.Error });
  await failJob(job, failure, new Date());
  return { ...state, phase: 'done' };
}
